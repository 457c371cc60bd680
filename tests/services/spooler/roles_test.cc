#include "services/spooler/roles.h"

#include <gtest/gtest.h>

#include "lib/base/sha256.h"
#include "services/spooler/authorizer.h"
#include "tests/testing/status_matchers.h"

namespace spoolgate::spooler {
namespace {
using ::spoolgate::testing::StatusIs;

TEST(RolesTest, NamesRoundTrip) {
  for (Role role : {Role::kIntake, Role::kAgent, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
}

TEST(RolesTest, EachRoleMayCallOnlyItsOwnRpcs) {
  const char* every_rpc[] = {
      "Intake.Submit",       "Dispatch.Attach",      "Dispatch.ReadDocument",
      "Admin.ListQueues",    "Admin.CreateQueue",    "Admin.DeleteQueue",
      "Admin.UpdateQueue",   "Admin.ListJobs",       "Admin.GetJob",
      "Admin.CancelJob",     "Admin.HoldJob",        "Admin.ReleaseJob",
      "Admin.MoveJob",       "Admin.SetJobPriority", "Admin.RemoveJobs",
      "Admin.ListPrinters",  "Admin.StopPrinter",    "Admin.StartPrinter",
      "Admin.ListAccounting", "Admin.GetQuota"};
  int intake = 0, agent = 0;
  for (const char* rpc : every_rpc) {
    EXPECT_TRUE(RoleMayCall(Role::kAdmin, rpc)) << rpc;
    intake += RoleMayCall(Role::kIntake, rpc);
    agent += RoleMayCall(Role::kAgent, rpc);
  }
  EXPECT_EQ(intake, 5);
  EXPECT_EQ(agent, 2);
  EXPECT_TRUE(RoleMayCall(Role::kIntake, "Intake.Submit"));
  EXPECT_TRUE(RoleMayCall(Role::kIntake, "Admin.RemoveJobs"));
  EXPECT_FALSE(RoleMayCall(Role::kIntake, "Admin.CancelJob"));
  EXPECT_FALSE(RoleMayCall(Role::kIntake, "Dispatch.ReadDocument"));
  EXPECT_TRUE(RoleMayCall(Role::kAgent, "Dispatch.ReadDocument"));
  EXPECT_FALSE(RoleMayCall(Role::kAgent, "Intake.Submit"));
  EXPECT_FALSE(RoleMayCall(Role::kAgent, "Admin.ListJobs"));
}

TEST(AuthorizerTest, WithoutCredentialsEveryCallerIsAdmin) {
  Authorizer open;
  EXPECT_TRUE(open.open());
  auto who = open.Identify("", {});
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->role, Role::kAdmin);
}

TEST(AuthorizerTest, IdentifiesByTokenHashOrCertificate) {
  Authorizer auth({Credential{Role::kIntake, "gw", Sha256::Of("t0ken"), ""},
                   Credential{Role::kAgent, "room", "", "box.office"}});
  EXPECT_FALSE(auth.open());
  auto gw = auth.Identify("t0ken", {});
  ASSERT_TRUE(gw.ok());
  EXPECT_EQ(gw->role, Role::kIntake);
  EXPECT_EQ(gw->name, "gw");
  auto room = auth.Identify("", {"Some CN", "box.office"});
  ASSERT_TRUE(room.ok());
  EXPECT_EQ(room->name, "room");
  EXPECT_THAT(auth.Identify("t0ken2", {}), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(auth.Identify("", {}), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(auth.Identify("", {"stranger"}), StatusIs(absl::StatusCode::kUnauthenticated));
  // A wrong token is not rescued by a good certificate: the caller meant the token.
  EXPECT_THAT(auth.Identify("wrong", {"box.office"}), StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace spoolgate::spooler
