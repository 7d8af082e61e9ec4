#ifndef OAUTH_TESTS_SUPPORT_FILES_HPP
#define OAUTH_TESTS_SUPPORT_FILES_HPP

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace oauth::test {

inline std::string read_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

inline boost::json::value read_json(std::string const& path) { return boost::json::parse(read_file(path)); }

/// An RFC 3339 time with a numeric offset, as the Fernet vectors write it.
inline std::chrono::sys_seconds parse_rfc3339(std::string const& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, oh = 0, om = 0;
  char sign = '+';
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h, &mi, &s, &sign, &oh, &om) != 9)
    throw std::runtime_error("not an RFC 3339 time: " + text);
  using namespace std::chrono;
  auto const local = sys_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}} + hours{h} +
                     minutes{mi} + seconds{s};
  auto const offset = hours{oh} + minutes{om};
  return time_point_cast<seconds>(sign == '-' ? local + offset : local - offset);
}

/// Runs a shell command; its standard output, and its exit status through `status`.
inline std::string run_command(std::string const& command, int& status) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  status = ::pclose(pipe);
  return output;
}

}  // namespace oauth::test

#endif
