// Shared by the GUI suites: one offscreen QApplication per process, the
// dialog seams in test mode (nothing modal ever blocks), a fresh COFFER_HOME
// per test with cheap Argon2id settings, and helpers that wait on signals
// instead of sleeping.
#pragma once

#include "AppContext.h"
#include "Keyring.h"
#include "TestSupport.h"

#include <QApplication>
#include <QSignalSpy>
#include <QString>

class QLineEdit;
#include <QStringList>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

class QMimeData;
class QWidget;

namespace coffer::test::ui {

using coffer::ui::AppContext;

/// Creates the application (offscreen) once and puts the seams in test mode.
void ensureApplication();

/// Sends a drag-enter and, if accepted, a drop of `mime` on `target`'s centre,
/// as a file manager would; true if the drop was accepted.
bool dropMimeData(QWidget* target, QMimeData& mime);

/// True once `spy` has seen its signal (now or within `timeoutMs`).
bool waitFor(QSignalSpy& spy, int timeoutMs = 60000);

/// Every test gets its own COFFER_HOME and starts with no dialogs open.
class UiTest : public ::testing::Test {
protected:
    UiTest();
    ~UiTest() override;

    /// A keyring for `name` with these contacts, saved and unlocked.
    std::unique_ptr<AppContext> makeUnlockedContext(const std::string& name, const std::string& passphrase,
                                                    std::vector<Contact> contacts = {});
    /// A saved keyring (locked) for `name`.
    std::unique_ptr<AppContext> makeLockedContext(const std::string& name, const std::string& passphrase);

    std::filesystem::path home() const { return m_dir.path() / "home"; }
    std::filesystem::path work() const { return m_dir.path() / "work"; }
    QString workPath(const std::string& name) const;

    TempDir m_dir;
};

Contact contactFor(const crypto::SecretIdentity& identity, const std::string& name, bool verified = false);
/// What others encrypt to for this identity (its card).
crypto::RecipientKey recipientOf(const crypto::SecretIdentity& identity);
std::string fingerprintOf(const crypto::SecretIdentity& identity);
/// The unlocked context's own identity (aborts the test binary if there is none).
const crypto::SecretIdentity& identityOf(AppContext& context);
/// The unlocked context's keyring (aborts the test binary if it is locked).
const Keyring& keyringOf(AppContext& context);

/// Incompressible bytes, written in 1 MiB blocks.
void writeRandomFile(const std::filesystem::path& path, std::uint64_t bytes);

/// The first top-level widget of type T that is visible, or null.
template <typename T> T* findTopLevel()
{
    for (QWidget* w : QApplication::topLevelWidgets())
        if (auto* t = qobject_cast<T*>(w); t && t->isVisible())
            return t;
    return nullptr;
}

/// A secret field after its text was taken: empty, and no undo step that would
/// bring the secret back (checked with echo shown too, where Qt offers more undo).
::testing::AssertionResult holdsNoSecret(QLineEdit* field);

/// Every file and folder under `root`, relative, sorted (folders end in '/').
std::vector<std::string> filesUnder(const std::filesystem::path& root);

} // namespace coffer::test::ui
