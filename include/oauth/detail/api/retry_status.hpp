#ifndef OAUTH_DETAIL_API_RETRY_STATUS_HPP
#define OAUTH_DETAIL_API_RETRY_STATUS_HPP

namespace oauth::detail::api {

inline bool retried_on_any_method(unsigned status) noexcept { return status == 429 || status == 529; }

inline bool retried_if_idempotent(unsigned status) noexcept {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

}  // namespace oauth::detail::api

#endif
