#include "UiTestSupport.h"

#include "EnglishPlurals.h"
#include "FileDialogs.h"
#include "GuiMain.h"
#include "KeyringSession.h"
#include "MessageBox.h"
#include "PathText.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLineEdit>
#include <QMimeData>
#include <QTest>
#include <QWidget>

#include <cstdlib>
#include <fstream>

namespace coffer::test::ui {

namespace fs = std::filesystem;

void ensureApplication()
{
    if (QApplication::instance())
        return;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "coffer-ui-test";
    static char* argv[] = {name, nullptr};
    new QApplication(argc, argv); // lives until the process ends
    coffer::ui::initResources();
    coffer::ui::EnglishPlurals::install();
    coffer::ui::MessageBox::setTestMode(true);
    coffer::ui::FileDialogs::setTestMode(true);
    coffer::ui::KeyringSession::setKdfParamsForTests(crypto::Argon2Params{1, 8 * 1024, 1});
}

bool waitFor(QSignalSpy& spy, int timeoutMs)
{
    return spy.count() > 0 || spy.wait(timeoutMs);
}

UiTest::UiTest()
{
    ensureApplication();
    fs::create_directories(work());
    ::setenv("COFFER_HOME", home().c_str(), 1);
}

UiTest::~UiTest()
{
    // Close and delete whatever a test left open, so the next starts clean.
    for (QWidget* w : QApplication::topLevelWidgets())
        w->close();
    QTest::qWait(0);
    QApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    ::unsetenv("COFFER_HOME");
}

QString UiTest::workPath(const std::string& name) const
{
    return coffer::ui::toQString(work() / name);
}

std::unique_ptr<AppContext> UiTest::makeUnlockedContext(const std::string& name, const std::string& passphrase,
                                                        std::vector<Contact> contacts)
{
    auto context = std::make_unique<AppContext>();
    Keyring keyring;
    keyring.setIdentity(crypto::SecretIdentity::generate(name));
    for (auto& c : contacts)
        EXPECT_TRUE(keyring.addContact(std::move(c)).ok());
    QSignalSpy created(&context->keyring(), &coffer::ui::KeyringSession::createFinished);
    context->keyring().create(std::move(keyring), crypto::SecureString(passphrase));
    EXPECT_TRUE(waitFor(created));
    EXPECT_TRUE(context->keyring().isUnlocked());
    return context;
}

std::unique_ptr<AppContext> UiTest::makeLockedContext(const std::string& name, const std::string& passphrase)
{
    auto context = makeUnlockedContext(name, passphrase);
    context->keyring().lock();
    return context;
}

Contact contactFor(const crypto::SecretIdentity& identity, const std::string& name, bool verified)
{
    Contact c;
    c.name = name;
    c.key = identity.publicText();
    c.recipient = recipientOf(identity);
    c.verified = verified;
    return c;
}

crypto::RecipientKey recipientOf(const crypto::SecretIdentity& identity)
{
    auto key = crypto::parseRecipientKey(identity.publicText());
    if (!key.ok())
        std::abort();
    return std::move(*key);
}

std::string fingerprintOf(const crypto::SecretIdentity& identity)
{
    const auto card = identity.card();
    return card ? card->fingerprint() : std::string();
}

const Keyring& keyringOf(AppContext& context)
{
    const Keyring* keyring = context.keyring().keyring();
    if (!keyring)
        std::abort();
    return *keyring;
}

const crypto::SecretIdentity& identityOf(AppContext& context)
{
    const Keyring* keyring = context.keyring().keyring();
    if (!keyring || !keyring->identity())
        std::abort();
    return *keyring->identity();
}

void writeRandomFile(const fs::path& path, std::uint64_t bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    std::vector<std::uint64_t> block(128 * 1024);
    std::uint64_t state = 0x2545F4914F6CDD1DULL;
    while (bytes > 0) {
        for (auto& word : block) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word = state;
        }
        const std::uint64_t n = std::min<std::uint64_t>(bytes, block.size() * sizeof(std::uint64_t));
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
        bytes -= n;
    }
}

std::vector<std::string> filesUnder(const fs::path& root)
{
    return listTree(root);
}

::testing::AssertionResult holdsNoSecret(QLineEdit* field)
{
    if (!field->text().isEmpty())
        return ::testing::AssertionFailure() << "the field still shows text";
    const QLineEdit::EchoMode mode = field->echoMode();
    field->setEchoMode(QLineEdit::Normal); // Qt hides some undo steps in Password mode, not the history
    const bool undoable = field->isUndoAvailable();
    field->undo();
    const QString restored = field->text();
    field->setText(QString());
    field->setEchoMode(mode);
    if (undoable || !restored.isEmpty())
        return ::testing::AssertionFailure() << "undo brings back \"" << restored.toStdString() << "\"";
    return ::testing::AssertionSuccess();
}

bool dropMimeData(QWidget* target, QMimeData& mime)
{
    const QPoint center = target->rect().center();
    QDragEnterEvent enter(center, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent drop(QPointF(center), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    return drop.isAccepted();
}

} // namespace coffer::test::ui
