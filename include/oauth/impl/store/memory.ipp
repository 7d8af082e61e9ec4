#ifndef OAUTH_IMPL_STORE_MEMORY_IPP
#define OAUTH_IMPL_STORE_MEMORY_IPP

// The token store over MemoryBackend, instantiated once for the compiled mode, which
// <oauth/store/memory.hpp> declares extern under OAUTH_SEPARATE_COMPILATION;
// oauth/src.hpp compiles it.

#include <oauth/store/memory.hpp>

template class oauth::TokenStore<oauth::store::MemoryBackend>;
template class oauth::detail::store::StoreAdapter<oauth::store::MemoryBackend>;

#endif
