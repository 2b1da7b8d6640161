// `coffer --screenshot-tour DIR`: walks through every main screen with sample
// data in the current COFFER_HOME (tools/screenshots.sh makes a temporary
// one), saving a PNG of each, and measures the event loop during a large
// encryption. Never run it on a real keyring: it creates an identity.
#pragma once

#include <QString>

namespace coffer::ui {

class AppContext;

class ScreenshotTour {
public:
    static int run(AppContext& context, const QString& outputDir);
};

} // namespace coffer::ui
