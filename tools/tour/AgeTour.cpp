#include "AgeTour.h"

#include "AgeFiles.h"
#include "AppContext.h"
#include "AppController.h"
#include "ContainerModel.h"
#include "ContainerWindow.h"
#include "EncryptDialog.h"
#include "FormatChooser.h"
#include "PathText.h"
#include "RecipientPicker.h"
#include "TourSupport.h"

#include <QDir>
#include <QTreeView>

namespace coffer::ui::tour {

bool ageShots(AppContext& context, AppController& controller, const QString& samples, const QString& workDir,
              const QString& outputDir)
{
    EncryptDialog* encrypt = controller.openEncryptDialog({samples});
    encrypt->recipients()->setChecked(QStringLiteral("Bob Builder"), true);
    encrypt->format()->setAge(true);
    settle();
    savePng(encrypt, outputDir, QStringLiteral("15-encrypt-dialog-age"));
    encrypt->close();

    // What an age user sent to Alice's age address: a .tar.age of the samples.
    const Keyring* keyring = context.keyring().keyring();
    if (!keyring || !keyring->identity())
        return false;
    auto alice = crypto::parseRecipientKey(keyring->identity()->publicText());
    if (!alice.ok())
        return false;
    AgeEncryptRequest request;
    request.inputs = {toPath(samples)};
    request.recipients.push_back(std::move(*alice));
    request.output = toPath(QDir(workDir).filePath(QStringLiteral("From an age user.tar.age")));
    JobControl job;
    if (!encryptAge(request, job).ok())
        return false;
    ContainerWindow* opened = controller.openContainer(toQString(request.output));
    if (!waitForSignal(opened, &ContainerWindow::loadFinished) || !opened->isLoaded())
        return false;
    opened->view()->setCurrentIndex(opened->model()->index(0, 0));
    savePng(opened, outputDir, QStringLiteral("16-open-age-file"));
    opened->close();
    return true;
}

} // namespace coffer::ui::tour
