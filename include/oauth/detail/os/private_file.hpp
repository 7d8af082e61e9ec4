#ifndef OAUTH_DETAIL_OS_PRIVATE_FILE_HPP
#define OAUTH_DETAIL_OS_PRIVATE_FILE_HPP

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace oauth::detail::os {

/// Creates `path` readable and writable by its owner alone (0600) if it does not exist
/// yet; an existing file keeps its mode, and a path that cannot be created is left for
/// whoever opens it next to report.
inline void create_private_file(std::string const& path) noexcept {
  if (int const fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
}

}  // namespace oauth::detail::os

#endif
