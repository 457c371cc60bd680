// The FTP session state machine: every command, every refusal, with a fake
// queue directory and no sockets.
#include "services/ftp-gateway/ftp_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace spoolgate::ftp {
namespace {
using ::testing::HasSubstr;

class FakeDirectory : public QueueDirectory {
 public:
  absl::StatusOr<std::vector<QueueInfo>> Queues() override {
    if (!outage.ok()) return outage;
    return queues;
  }
  absl::StatusOr<QueueInfo> Find(absl::string_view name) override {
    if (!outage.ok()) return outage;
    for (const auto& q : queues) {
      if (absl::EqualsIgnoreCase(q.name, name)) return q;
    }
    return absl::NotFoundError("No such queue");
  }
  absl::Status outage;  // not OK: the spooler is down
  std::vector<QueueInfo> queues = {{"office", "2nd floor", true, true, 2, 1, "ready"},
                                   {"closed", "", false, true, 0, 0, "no printer attached"}};
};

class FtpSessionTest : public ::testing::Test {
 protected:
  FtpSessionTest() : session_({}, directory_, "127.0.0.1") {}
  Response Do(const std::string& verb, const std::string& arg = "") {
    return session_.Handle({verb, arg});
  }
  int Code(const std::string& verb, const std::string& arg = "") { return Do(verb, arg).reply.code; }
  void Login() {
    ASSERT_EQ(Code("USER", "alice"), 331);
    ASSERT_EQ(Code("PASS", "secret"), 230);
  }
  FakeDirectory directory_;
  FtpSession session_;
};

TEST_F(FtpSessionTest, GreetsAndWelcomesWithTheQueues) {
  EXPECT_EQ(session_.Greeting().reply.code, 220);
  EXPECT_EQ(Code("USER", "alice"), 331);
  Response welcome = Do("PASS", "anything");
  EXPECT_EQ(welcome.reply.code, 230);
  ASSERT_GT(welcome.reply.lines.size(), 3u);
  std::string text = FormatReply(welcome.reply);
  EXPECT_THAT(text, HasSubstr("230-"));
  EXPECT_THAT(text, HasSubstr("office - 2nd floor"));
  EXPECT_THAT(text, HasSubstr("closed (not accepting jobs)"));
  EXPECT_THAT(text, HasSubstr("230 User logged in."));
}

TEST_F(FtpSessionTest, SpoolerDownIsTransientEverywhere) {
  directory_.outage = absl::UnavailableError("connection refused");
  Response greeting = session_.Greeting();
  EXPECT_EQ(greeting.reply.code, 421);
  EXPECT_EQ(greeting.action.kind, Action::Kind::kClose);
  EXPECT_THAT(greeting.reply.lines[0], HasSubstr("connection refused"));
  Login();  // logged in before the outage: every lookup is a 4xx, never a 5xx
  for (auto [verb, arg] : std::vector<std::pair<std::string, std::string>>{
           {"CWD", "office"}, {"STOR", "a.txt"}, {"STOR", "/office/a.txt"}, {"LIST", "office"},
           {"STAT", "office"}, {"DELE", "office/1-a.txt"}}) {
    session_.PassiveOpened(true);
    int code = Code(verb, arg);
    EXPECT_GE(code, 400) << verb << " " << arg;
    EXPECT_LT(code, 500) << verb << " " << arg;
  }
  directory_.outage = absl::OkStatus();
  EXPECT_EQ(Code("CWD", "office"), 250);  // back without a new session
}

TEST_F(FtpSessionTest, CommandsBeforeLoginAreRefused) {
  for (const char* verb : {"CWD", "STOR", "LIST", "PASV", "PORT", "TYPE", "PWD", "RETR"}) {
    EXPECT_EQ(Code(verb, "x"), 530) << verb;
  }
  for (const char* verb : {"FEAT", "SYST", "NOOP", "HELP"}) EXPECT_NE(Code(verb), 530) << verb;
  EXPECT_EQ(Code("PASS", "x"), 503);
}

TEST_F(FtpSessionTest, UsersFileIsChecked) {
  FtpSession::Options options;
  options.authenticate = [](const std::string& u, const std::string& p) {
    return u == "alice" && p == "right";
  };
  FtpSession checked(options, directory_, "127.0.0.1");
  checked.Handle({"USER", "alice"});
  EXPECT_EQ(checked.Handle({"PASS", "wrong"}).reply.code, 530);
  checked.Handle({"USER", "alice"});
  EXPECT_EQ(checked.Handle({"PASS", "right"}).reply.code, 230);
}

TEST_F(FtpSessionTest, DirectoriesAreQueues) {
  Login();
  EXPECT_EQ(Do("PWD").reply.lines[0], "\"/\" is the current directory");
  EXPECT_EQ(Code("CWD", "office"), 250);
  EXPECT_EQ(Do("PWD").reply.lines[0], "\"/office\" is the current directory");
  EXPECT_EQ(Code("CWD", "sub"), 550);  // queues have no subdirectories
  EXPECT_EQ(Code("CDUP"), 250);
  EXPECT_EQ(Code("CWD", "/office/"), 250);
  EXPECT_EQ(Code("CWD", ".."), 250);
  EXPECT_EQ(Code("CWD", "nope"), 550);
  EXPECT_EQ(Code("CWD", "/"), 250);
  // Jetdirect port names are case-insensitive; PWD shows the real name.
  EXPECT_EQ(Code("CWD", "OFFICE"), 250);
  EXPECT_EQ(Do("PWD").reply.lines[0], "\"/office\" is the current directory");
}

TEST_F(FtpSessionTest, TypeModeStru) {
  Login();
  EXPECT_TRUE(session_.ascii());  // RFC 959 default
  EXPECT_EQ(Code("TYPE", "I"), 200);
  EXPECT_FALSE(session_.ascii());
  EXPECT_EQ(Code("TYPE", "A"), 200);
  EXPECT_EQ(Code("TYPE", "E"), 504);
  EXPECT_EQ(Code("MODE", "S"), 200);
  EXPECT_EQ(Code("MODE", "B"), 504);
  EXPECT_EQ(Code("STRU", "F"), 200);
  EXPECT_EQ(Code("STRU", "R"), 504);
}

TEST_F(FtpSessionTest, DataConnectionSetupAndAntiBounce) {
  Login();
  EXPECT_EQ(Do("PASV").action.kind, Action::Kind::kPassive);
  Response epsv = Do("EPSV");
  EXPECT_EQ(epsv.action.kind, Action::Kind::kPassive);
  EXPECT_TRUE(epsv.action.extended);
  EXPECT_EQ(Code("EPSV", "3"), 522);
  EXPECT_EQ(Code("PORT", "127,0,0,1,200,10"), 200);
  EXPECT_EQ(session_.data_mode(), FtpSession::DataMode::kActive);
  EXPECT_EQ(session_.active_target().port, 200 * 256 + 10);
  EXPECT_EQ(Code("EPRT", "|1|127.0.0.1|40000|"), 200);
  // FTP bounce: another address is refused.
  EXPECT_EQ(Code("PORT", "192,0,2,1,200,10"), 500);
  EXPECT_EQ(Code("EPRT", "|1|10.0.0.1|40000|"), 500);
  EXPECT_EQ(Code("EPRT", "|1|127.0.0.1|25|"), 500);  // privileged port
  EXPECT_EQ(Code("PORT", "1,2,3"), 501);
  EXPECT_EQ(Code("EPRT", "|9|x|1|"), 522);
  EXPECT_EQ(Code("EPSV", "ALL"), 200);
  EXPECT_EQ(Code("PASV"), 501);
  EXPECT_EQ(Code("PORT", "127,0,0,1,200,10"), 501);
}

TEST_F(FtpSessionTest, StorResolvesQueueAndName) {
  Login();
  EXPECT_EQ(Code("STOR", "/office/a.txt"), 425);  // fine, but no data connection yet
  session_.PassiveOpened(true);
  Response root_put = Do("STOR", "a.txt");  // Jetdirect: put FILE at / prints on the default queue
  ASSERT_EQ(root_put.action.kind, Action::Kind::kStore);
  EXPECT_EQ(root_put.action.queue, "office");
  EXPECT_EQ(root_put.action.name, "a.txt");
  session_.PassiveOpened(true);
  EXPECT_EQ(Do("STOR", "OFFICE/a.txt").action.queue, "office");
  session_.PassiveOpened(true);
  Response r = Do("STOR", "/office/a.txt");
  ASSERT_EQ(r.action.kind, Action::Kind::kStore);
  EXPECT_EQ(r.action.queue, "office");
  EXPECT_EQ(r.action.name, "a.txt");
  session_.PassiveOpened(true);
  r = Do("STOR", "office/b.txt");  // busybox, curl --ftp-method nocwd
  EXPECT_EQ(r.action.queue, "office");
  EXPECT_EQ(r.action.name, "b.txt");
  session_.PassiveOpened(true);
  r = Do("STOR", "office");  // Jetdirect: STOR queue
  EXPECT_EQ(r.action.queue, "office");
  ASSERT_EQ(Code("CWD", "office"), 250);
  session_.PassiveOpened(true);
  r = Do("STOR", "c.txt");
  EXPECT_EQ(r.action.queue, "office");
  EXPECT_EQ(r.action.name, "c.txt");
  session_.PassiveOpened(true);
  r = Do("APPE", "d.txt");
  EXPECT_TRUE(r.action.append);
  session_.PassiveOpened(true);
  EXPECT_EQ(Do("STOU").action.kind, Action::Kind::kStore);
  session_.PassiveOpened(true);
  EXPECT_EQ(Code("STOR", "/closed/x"), 550);  // not accepting
  EXPECT_EQ(Code("STOR", "/nope/x"), 553);
  EXPECT_EQ(Code("STOR", "a/b/c"), 553);
  EXPECT_EQ(Code("STOR", "../x"), 553);
  EXPECT_EQ(Code("STOR", ""), 553);
}

TEST_F(FtpSessionTest, DefaultQueueIsConfigurable) {
  FtpSession::Options options;
  options.default_queue = "closed";
  FtpSession session(options, directory_, "127.0.0.1");
  session.Handle({"USER", "a"});
  session.Handle({"PASS", "b"});
  session.PassiveOpened(true);
  EXPECT_EQ(session.Handle({"STOR", "x.txt"}).reply.code, 550);  // closed is not accepting
  directory_.queues[1].accepting = true;
  EXPECT_EQ(session.Handle({"STOR", "x.txt"}).action.queue, "closed");
}

TEST_F(FtpSessionTest, DeleNamesAJobInAQueue) {
  Login();
  EXPECT_EQ(Code("DELE", ""), 501);
  Response in_path = Do("DELE", "Office/7-report.txt");
  ASSERT_EQ(in_path.action.kind, Action::Kind::kDelete);
  EXPECT_EQ(in_path.action.queue, "office");
  EXPECT_EQ(in_path.action.name, "7-report.txt");
  ASSERT_EQ(Code("CWD", "office"), 250);
  Response here = Do("DELE", "report.txt");
  EXPECT_EQ(here.action.queue, "office");
  EXPECT_EQ(here.action.name, "report.txt");
}

TEST_F(FtpSessionTest, FtpsCommandsFollowRfc4217) {
  FtpSession::Options options;
  options.tls_available = true;
  options.tls_required = true;
  FtpSession tls(options, directory_, "127.0.0.1");
  auto code = [&](const std::string& verb, const std::string& arg = "") {
    return tls.Handle({verb, arg}).reply.code;
  };
  EXPECT_THAT(FormatReply(tls.Handle({"FEAT", ""}).reply), HasSubstr("AUTH TLS"));
  EXPECT_EQ(code("USER", "alice"), 530);  // --ftps_required: not before AUTH TLS
  EXPECT_EQ(code("PBSZ", "0"), 503);
  EXPECT_EQ(code("AUTH", "KERBEROS_V4"), 504);
  Response auth = tls.Handle({"AUTH", "TLS"});
  EXPECT_EQ(auth.reply.code, 234);
  EXPECT_EQ(auth.action.kind, Action::Kind::kStartTls);
  EXPECT_EQ(code("AUTH", "TLS"), 503);
  EXPECT_EQ(code("USER", "alice"), 331);
  EXPECT_EQ(code("PASS", "x"), 230);
  EXPECT_EQ(code("PROT", "P"), 503);  // PBSZ first
  EXPECT_EQ(code("PBSZ", "0"), 200);
  EXPECT_EQ(code("PROT", "C"), 534);  // clear data refused when TLS is required
  EXPECT_EQ(code("PROT", "S"), 536);
  tls.PassiveOpened(true);
  EXPECT_EQ(code("STOR", "/office/x"), 521);  // no PROT P yet
  EXPECT_EQ(code("PROT", "P"), 200);
  EXPECT_TRUE(tls.data_protected());
  EXPECT_EQ(tls.Handle({"STOR", "/office/x"}).action.kind, Action::Kind::kStore);
  EXPECT_EQ(code("CCC"), 533);
  // Without a certificate nothing of it is offered.
  EXPECT_EQ(Code("AUTH", "TLS"), 502);
  EXPECT_THAT(FormatReply(Do("FEAT").reply), ::testing::Not(HasSubstr("AUTH")));
}

TEST_F(FtpSessionTest, ListingsOfRootAndQueues) {
  Login();
  EXPECT_EQ(Code("LIST"), 425);
  session_.PassiveOpened(true);
  Response root = Do("LIST", "-la");
  ASSERT_EQ(root.action.kind, Action::Kind::kList);
  EXPECT_EQ(root.action.queue, "");
  session_.PassiveOpened(true);
  Response queue = Do("NLST", "office");
  EXPECT_EQ(queue.action.queue, "office");
  EXPECT_TRUE(queue.action.names_only);
  EXPECT_EQ(Code("LIST", "nope"), 550);
}

TEST_F(FtpSessionTest, EveryOtherCommandGetsAProperAnswer) {
  Login();
  EXPECT_EQ(Code("NOOP"), 200);
  EXPECT_EQ(Code("SYST"), 215);
  Response feat = Do("FEAT");
  EXPECT_EQ(feat.reply.code, 211);
  EXPECT_THAT(FormatReply(feat.reply), HasSubstr("EPSV"));
  EXPECT_EQ(Code("OPTS", "UTF8 ON"), 200);
  EXPECT_EQ(Code("OPTS", "MLST type;size;"), 501);
  EXPECT_EQ(Code("HELP"), 214);
  EXPECT_EQ(Code("HELP", "SITE"), 214);
  EXPECT_EQ(Code("AUTH", "TLS"), 502);
  EXPECT_EQ(Code("CLNT", "NcFTPPut 3.2.6"), 200);
  EXPECT_EQ(Code("SIZE", "x"), 550);
  EXPECT_EQ(Code("MDTM", "x"), 550);
  EXPECT_EQ(Code("MLST", "x"), 550);
  EXPECT_EQ(Code("MFMT", "20261122121424 x"), 550);
  EXPECT_EQ(Code("RETR", "x"), 550);
  EXPECT_EQ(Code("DELE", "x"), 550);  // at /: jobs live in queues
  EXPECT_EQ(Code("RNFR", "x"), 502);
  EXPECT_EQ(Code("MKD", "x"), 550);
  EXPECT_EQ(Code("SITE", "CHMOD 777 x"), 502);
  EXPECT_EQ(Code("ABOR"), 225);
  EXPECT_EQ(Code("XYZZY"), 500);
  EXPECT_EQ(Code("STAT"), 211);
  Response stat = Do("STAT", "office");
  EXPECT_EQ(stat.reply.code, 213);
  EXPECT_THAT(FormatReply(stat.reply), HasSubstr("jobs waiting: 2"));
  EXPECT_EQ(Code("STAT", "nope"), 550);
  EXPECT_EQ(Code("REIN"), 220);
  EXPECT_FALSE(session_.logged_in());
  Response quit = Do("QUIT");
  EXPECT_EQ(quit.reply.code, 221);
  EXPECT_EQ(quit.action.kind, Action::Kind::kClose);
}

}  // namespace
}  // namespace spoolgate::ftp
