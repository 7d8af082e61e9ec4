#ifndef OAUTH_IMPL_STORE_ANY_IPP
#define OAUTH_IMPL_STORE_ANY_IPP

// The token store over AnyBackend, instantiated once for the compiled mode, which
// <oauth/store/any.hpp> declares extern under OAUTH_SEPARATE_COMPILATION; oauth/src.hpp
// compiles it.

#include <oauth/store/any.hpp>

template class oauth::TokenStore<oauth::store::AnyBackend>;
template class oauth::detail::store::StoreAdapter<oauth::store::AnyBackend>;

#endif
