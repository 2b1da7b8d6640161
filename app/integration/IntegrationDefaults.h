// The default handlers "coffer integrate install" sets in the user's
// mimeapps.list: Coffer for .coffer containers and for .age files (Coffer's
// own MIME type for age, as freedesktop has none), each undone on uninstall
// unless the user chose another application since. Internal to the
// integration code (app/integration/Integration.cpp).
#pragma once

#include "Integration.h"
#include "IntegrationManifest.h"

namespace coffer::integration::detail {

/// Makes Coffer the default for both types, recording each change in `m`.
Status installDefaultHandlers(const Environment& env, Manifest& m, Report& report);
/// Gives back the defaults the user had (age first: it was set last).
void undoDefaultHandlers(const Manifest& m, Report& report);

} // namespace coffer::integration::detail
