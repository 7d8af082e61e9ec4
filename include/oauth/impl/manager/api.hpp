#ifndef OAUTH_IMPL_MANAGER_API_HPP
#define OAUTH_IMPL_MANAGER_API_HPP

// The authorized client over one integration.

namespace oauth {

template <Provider... Ps>
template <class P>
AuthorizedClient<Manager<Ps...>, P> Manager<Ps...>::client(std::string tenant_id, std::string user_id, std::string integration_id) {
  check_listed<P>();
  return {*this, std::move(tenant_id), std::move(user_id), std::move(integration_id)};
}

}  // namespace oauth

#endif
