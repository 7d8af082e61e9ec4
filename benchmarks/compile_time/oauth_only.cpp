// (a) The umbrella header and nothing else.
#include <oauth/oauth.hpp>

int main() {}
