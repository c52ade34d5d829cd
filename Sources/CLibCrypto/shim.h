// OpenSSL's libcrypto for Swift: only the one-shot digest and HMAC functions SigV4
// needs (EVP_Digest, HMAC), which Swift can call directly.
#ifndef CUTOVER_CLIBCRYPTO_SHIM_H
#define CUTOVER_CLIBCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>

#endif
