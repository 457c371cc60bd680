// Aligned text tables for spoolctl's human-readable output.
#pragma once

#include <string>
#include <vector>

namespace spoolgate::spoolctl {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  // Cells may hold bytes as clients sent them; they are shown as UTF-8
  // (invalid UTF-8 read as Windows-1252).
  void AddRow(std::vector<std::string> row);
  // Columns padded to their widest cell (in characters), two spaces apart,
  // no trailing blanks.
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "1.5 MiB", "312 B".
std::string HumanBytes(uint64_t bytes);
// "#####...............  25%": a 20-cell bar for a fraction, which is
// clamped to 0..1 whatever it is (NaN and infinities included).
std::string ProgressBar(double fraction);
// Local time "2026-11-22 10:01:02", or "-" for 0.
std::string HumanTime(int64_t unix_micros);

}  // namespace spoolgate::spoolctl
