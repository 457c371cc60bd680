#include "tools/spoolctl/table.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace spoolgate::spoolctl {
namespace {

TEST(ProgressBarTest, DrawsTheFraction) {
  EXPECT_EQ(ProgressBar(0), "....................   0%");
  EXPECT_EQ(ProgressBar(0.25), "#####...............  25%");
  EXPECT_EQ(ProgressBar(1), "#################### 100%");
}

TEST(ProgressBarTest, ClampsWhateverItIsSent) {
  EXPECT_EQ(ProgressBar(1.04), ProgressBar(1));
  EXPECT_EQ(ProgressBar(3.5), ProgressBar(1));
  EXPECT_EQ(ProgressBar(1e30), ProgressBar(1));
  EXPECT_EQ(ProgressBar(std::numeric_limits<double>::infinity()), ProgressBar(1));
  EXPECT_EQ(ProgressBar(-0.5), ProgressBar(0));
  EXPECT_EQ(ProgressBar(-std::numeric_limits<double>::infinity()), ProgressBar(0));
  EXPECT_EQ(ProgressBar(std::nan("")), ProgressBar(0));
}

TEST(TableTest, PadsColumns) {
  Table t({"A", "LONGER"});
  t.AddRow({"xyz", "1"});
  EXPECT_EQ(t.Render(), "A    LONGER\nxyz  1\n");
}

}  // namespace
}  // namespace spoolgate::spoolctl
