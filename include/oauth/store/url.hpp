#ifndef OAUTH_STORE_URL_HPP
#define OAUTH_STORE_URL_HPP

#include <oauth/detail/http/url.hpp>
#include <oauth/error.hpp>

#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include <string>
#include <string_view>

namespace oauth::store {

enum class StoreKind { memory, sqlite, postgres, redis };

/// Where tokens are kept, as configured by one string, an RFC 3986 URI (percent-encode
/// what the URI syntax reserves):
///   sqlite:tokens.db, sqlite:///var/lib/app/tokens.db   a file (the default kind)
///   postgresql://user@host:5432/db?schema=oauth          PostgreSQL, tables in `schema`
///   redis://:password@host:6379/0?prefix=oauth           Redis, keys under `prefix`
///   memory:                                              this process only: tests, demos
/// PostgreSQL's several hosts go in the query, as libpq reads them: `?host=a,b&port=5432,5433`.
struct StoreUrl {
  StoreKind kind = StoreKind::sqlite;
  std::string location;    ///< the file, or the URL the database's client library reads
  std::string namespace_;  ///< PostgreSQL schema or Redis key prefix; empty for the default

  static Result<StoreUrl> parse(std::string_view text) {
    auto const bad = [](std::string_view why) {
      return Error(Errc::invalid_argument,
                   "store URL: " + std::string(why) + " (sqlite:PATH, postgresql://..., redis://... or memory:)");
    };
    StoreUrl parsed;
    if (text == "memory:" || text == "memory") {
      parsed.kind = StoreKind::memory;
      return parsed;
    }
    auto const uri = oauth::detail::http::parse_url(text);
    if (!uri) return bad("not a URI: percent-encode spaces and reserved characters");
    if (uri->has_fragment()) return bad("a store URL has no fragment");
    auto const scheme = uri->scheme();
    std::string_view option;
    if (scheme == "sqlite") {
      if (uri->has_authority() && !uri->encoded_host_and_port().empty())
        return bad("sqlite: takes a path, not a host: sqlite:relative/path or sqlite:///absolute/path");
      if (uri->has_query()) return bad("sqlite: takes no parameters");
      parsed.location = uri->path();
      if (parsed.location.empty()) return bad("sqlite: needs a file path");
      return parsed;
    }
    if (scheme == "postgresql" || scheme == "postgres") {
      parsed.kind = StoreKind::postgres;
      option = "schema";
    } else if (scheme == "redis") {
      parsed.kind = StoreKind::redis;
      option = "prefix";
    } else {
      return bad("unknown kind");
    }
    // The namespace is ours, not the client library's: take it out of the query.
    boost::urls::url location(*uri);
    auto params = location.params();
    if (params.count(option) > 1) return bad(std::string(option) + " is given twice");
    if (auto const found = params.find(option); found != params.end()) {
      parsed.namespace_ = (*found).value;
      params.erase(found);
    }
    if (location.encoded_query().empty()) location.remove_query();
    parsed.location = location.buffer();
    return parsed;
  }

  /// The store as a log may name it: the password of the URL's authority, and every query
  /// parameter named password (as the database's client decodes its name), replaced.
  std::string redacted() const {
    switch (kind) {
      case StoreKind::memory: return "memory:";
      case StoreKind::sqlite: return "sqlite:" + location;
      case StoreKind::postgres:
      case StoreKind::redis: break;
    }
    auto const uri = oauth::detail::http::parse_url(location);
    if (!uri) return std::string(kind == StoreKind::postgres ? "postgresql:" : "redis:") + "[unreadable]";
    std::string out(uri->scheme());
    out += ':';
    if (uri->has_authority()) {
      out += "//";
      if (uri->has_userinfo()) {
        out += uri->encoded_user();
        if (uri->has_password()) out += ":[redacted]";
        out += '@';
      }
      out += uri->encoded_host_and_port();
    }
    out += uri->encoded_path();
    char separator = '?';
    for (auto const param : uri->encoded_params()) {
      out += separator;
      separator = '&';
      if (param.key.decode() == "password") {
        out += "password=[redacted]";
        continue;
      }
      out += param.key;
      if (param.has_value) (out += '=') += param.value;
    }
    if (!namespace_.empty()) {
      out += separator;
      out += kind == StoreKind::postgres ? "schema=" : "prefix=";
      out += namespace_;
    }
    return out;
  }
};

}  // namespace oauth::store

#endif
