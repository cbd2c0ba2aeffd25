// Non-variadic wrappers over libcurl's variadic calls (curl_easy_setopt,
// curl_easy_getinfo, curl_multi_setopt), which Swift cannot call. Each wrapper
// passes exactly one argument of the type the option documents.
#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

/// curl_global_init(CURL_GLOBAL_DEFAULT); the flags are a macro expression Swift does not import.
CURLcode ccurl_global_init(void);

/// The shape of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *userdata);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_callback(CURL *handle, CURLoption option, ccurl_data_callback value);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);

CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// The result code of a finished transfer (the `data.result` member of a CURLMSG_DONE message).
CURLcode ccurl_message_result(const CURLMsg *message);

#endif
