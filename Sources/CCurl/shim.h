// libcurl for Swift: the headers, plus typed stand-ins for curl_easy_setopt and
// curl_easy_getinfo, which are variadic and so cannot be called from Swift.
#ifndef CUTOVER_CCURL_SHIM_H
#define CUTOVER_CCURL_SHIM_H

#include <curl/curl.h>

/// curl_global_init's flags for everything (a macro of macros Swift cannot import).
static const long cutover_CURL_GLOBAL_DEFAULT = CURL_GLOBAL_DEFAULT;

/// The shape of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*cutover_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode cutover_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cutover_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
/// Strings are copied by libcurl (except CURLOPT_POSTFIELDS, which takes a pointer:
/// use cutover_curl_setopt_pointer for it and keep the bytes alive for the transfer).
static inline CURLcode cutover_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cutover_curl_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cutover_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cutover_curl_setopt_callback(CURL *handle, CURLoption option, cutover_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cutover_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode cutover_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
