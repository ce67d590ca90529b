#include "version.hpp"

#include <hiredis.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "amr_version.hpp"

namespace amr {

std::string version_text() {
    return std::string("amr ") + AMR_VERSION + "\nbuilt with hiredis " +
           std::to_string(HIREDIS_MAJOR) + "." + std::to_string(HIREDIS_MINOR) + "." +
           std::to_string(HIREDIS_PATCH) + ", " + OPENSSL_VERSION_TEXT + "\nrunning with " +
           OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace amr
