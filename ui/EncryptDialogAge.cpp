// The Encrypt flow for an age file (issue 20; FORMAT.md §13): one file
// becomes NAME.age, several or a folder NAME.tar.age, to the chosen people's
// X25519 keys or to a passphrase alone. Recipients age cannot take are
// refused before anything is written.
#include "EncryptDialog.h"

#include "AgeSupport.h"
#include "AppContext.h"
#include "EncryptOptions.h"
#include "FileListEditor.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "NoticePanel.h"
#include "PassphraseFields.h"
#include "PathText.h"
#include "RecipientPicker.h"

#include <QFileInfo>

namespace coffer::ui {

/// Used by the tests only (as KeyringSession::kdfParamsForTests for Argon2id):
/// scrypt at age's default costs about a second and 256 MiB per file.
constexpr int kTestScryptWorkFactor = 10;

void EncryptDialog::startAgeEncryption()
{
    auto request = std::make_shared<AgeEncryptRequest>();
    request->recipients = m_recipients->checkedRecipients();
    const QString problem =
        ageRecipientProblem(request->recipients, m_recipients->checkedNames(), m_options->usePassphrase());
    if (!problem.isEmpty())
        return showValidation(problem);
    for (const QString& p : m_files->paths())
        request->inputs.push_back(toPath(p));
    if (m_options->usePassphrase()) {
        request->passphrase = m_options->passphraseFields()->takePassphrase();
        if (KeyringSession::kdfParamsForTests())
            request->workFactor = kTestScryptWorkFactor;
    }
    request->links = m_options->links();
    request->output = toPath(m_options->outputPath());

    runEncryption(ageEncryptJob(std::move(request)));
}

} // namespace coffer::ui
