#ifndef OAUTH_DETAIL_PROTOCOL_REQUEST_BUILDER_HPP
#define OAUTH_DETAIL_PROTOCOL_REQUEST_BUILDER_HPP

#include <oauth/detail/encoding/base64.hpp>
#include <oauth/detail/encoding/form.hpp>
#include <oauth/http/message.hpp>
#include <oauth/protocol/client_credentials.hpp>
#include <oauth/provider_profile.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/crypto.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oauth::detail::request {

/// Collects body parameters and renders them in the provider's body format, with the
/// client authenticated the provider's way.
class Builder {
public:
  Builder(ProviderProfile const& provider, std::string url) : provider_(&provider) { request_.url = std::move(url); }

  Builder& param(std::string_view name, std::string_view value) {
    params_.emplace_back(name, value);
    return *this;
  }

  Builder& authenticate(ClientCredentials const& client) {
    if (provider_->token_auth == ClientAuth::basic) {
      // RFC 6749 section 2.3.1: each part form-encoded before joining.
      auto credentials =
          encoding::form_urlencode(client.client_id) + ':' + encoding::form_urlencode(client.client_secret.reveal());
      request_.headers.emplace_back(
          "Authorization",
          "Basic " + encoding::base64_encode(credentials, encoding::Alphabet::standard, encoding::Padding::with));
      OPENSSL_cleanse(credentials.data(), credentials.size());
    } else {
      param("client_id", client.client_id);
      param("client_secret", client.client_secret.reveal());
    }
    return *this;
  }

  HttpRequest build(BodyFormat format) && {
    request_.headers.emplace_back("Accept", "application/json");
    for (auto const& header : provider_->request_headers) request_.headers.emplace_back(header.name, header.value);
    if (format == BodyFormat::json) {
      request_.headers.emplace_back("Content-Type", "application/json");
      boost::json::object body;
      for (auto const& [name, value] : params_) body[name] = value;
      request_.body = boost::json::serialize(body);
    } else {
      request_.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      for (auto const& [name, value] : params_) encoding::append_form_param(request_.body, name, value);
    }
    return std::move(request_);
  }

private:
  ProviderProfile const* provider_;
  HttpRequest request_;
  std::vector<std::pair<std::string_view, std::string_view>> params_;
};

}  // namespace oauth::detail::request

#endif
