// The age screens of the screenshot tour (issue 20): the encrypt dialog with
// the age format chosen, and an opened .tar.age with its "not signed" banner.
#pragma once

#include <QString>

namespace coffer::ui {

class AppContext;
class AppController;

namespace tour {

/// Saves 15-encrypt-dialog-age and 16-open-age-file; false if a step failed.
bool ageShots(AppContext& context, AppController& controller, const QString& samples, const QString& workDir,
              const QString& outputDir);

} // namespace tour
} // namespace coffer::ui
