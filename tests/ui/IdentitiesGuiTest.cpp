// Several identities in the GUI, offscreen (issue 23): with Alice and Work in
// the keyring, a container sent to Work opens; the encrypt dialog's "Sign as"
// signs as Work and the container window says "Signed by you (Work)"; once
// Work is removed, what was sent to it no longer opens.
#include "UiTestSupport.h"

#include "ContainerWindow.h"
#include "Encrypt.h"
#include "EncryptDialog.h"
#include "EncryptOptions.h"
#include "IdentityBar.h"
#include "JobProgressWidget.h"
#include "JobRunner.h"
#include "MessageBox.h"
#include "MyCardDialog.h"
#include "NoticePanel.h"
#include "PathText.h"
#include "SignatureBanner.h"

#include <QComboBox>
#include <QDir>
#include <QPushButton>
#include <QTest>

#include <cstdlib>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::ContainerWindow;
using coffer::ui::EncryptDialog;
using coffer::ui::JobRunner;
using coffer::ui::KeyringSession;

class IdentitiesGuiTest : public UiTest {
protected:
    /// Alice's unlocked keyring with a second identity, Work.
    std::unique_ptr<AppContext> aliceAndWork()
    {
        auto context = makeUnlockedContext("Alice", "alice passphrase");
        QSignalSpy saved(&context->keyring(), &KeyringSession::updateFinished);
        context->keyring().update([](Keyring& k) { return k.addIdentity(crypto::SecretIdentity::generate("Work")); });
        EXPECT_TRUE(waitFor(saved));
        EXPECT_TRUE(saved.first().at(0).toBool()) << saved.first().at(1).toString().toStdString();
        return context;
    }
    static ContainerWindow* openAndWait(AppContext& context, const fs::path& container)
    {
        auto* window = new ContainerWindow(context, coffer::ui::toQString(container));
        QSignalSpy loaded(window, &ContainerWindow::loadFinished);
        window->show();
        EXPECT_TRUE(waitFor(loaded));
        return window;
    }
};

TEST_F(IdentitiesGuiTest, AContainerSentToTheSecondOpensUntilItIsRemoved)
{
    auto context = aliceAndWork();
    const Keyring& k = keyringOf(*context);
    ASSERT_EQ(k.identities().size(), 2u);
    writeFile(work() / "in" / "memo.txt", "The budget is due on Friday.\n");
    EncryptRequest req;
    req.inputs = {work() / "in" / "memo.txt"};
    req.recipients.push_back(recipientOf(k.identities()[1]));
    req.output = work() / "to-work.coffer";
    JobControl job;
    ASSERT_TRUE(encryptFiles(req, job).ok());

    ContainerWindow* opened = openAndWait(*context, req.output);
    EXPECT_TRUE(opened->isLoaded()) << opened->messageText().toStdString();
    delete opened;

    const std::string workFingerprint = k.identities()[1].card()->fingerprint();
    QSignalSpy saved(&context->keyring(), &KeyringSession::updateFinished);
    context->keyring().update([workFingerprint](Keyring& ring) { return ring.removeIdentity(workFingerprint); });
    ASSERT_TRUE(waitFor(saved));
    ASSERT_EQ(keyringOf(*context).identities().size(), 1u);

    ContainerWindow* refused = openAndWait(*context, req.output);
    EXPECT_FALSE(refused->isLoaded());
    EXPECT_TRUE(refused->messageText().contains("None of your keys opens this container"))
        << refused->messageText().toStdString();
    delete refused;
}

TEST_F(IdentitiesGuiTest, SignAsTheSecondAndTheWindowShowsItsName)
{
    auto context = aliceAndWork();
    writeFile(work() / "in" / "memo.txt", "The budget is due on Friday.\n");
    EncryptDialog dialog(*context, {workPath("in/memo.txt")});
    dialog.show();
    QComboBox* signAs = dialog.options()->signAsBox();
    ASSERT_TRUE(signAs->isVisibleTo(&dialog)) << "two identities: Sign as is offered";
    ASSERT_EQ(signAs->count(), 2);
    EXPECT_EQ(signAs->itemText(0), "Alice (default)");
    signAs->setCurrentIndex(1);
    if (const char* dir = std::getenv("COFFER_ID_SHOTS"))
        dialog.grab().save(QDir(QString::fromUtf8(dir)).filePath("encrypt-sign-as.png"));

    dialog.options()->setOutputPath(workPath("signed.coffer"));
    QSignalSpy finished(dialog.runner(), &JobRunner::finished);
    QTest::mouseClick(dialog.encryptButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(finished));
    ASSERT_TRUE(dialog.runner()->outcome().ok()) << dialog.progressView()->resultText().toStdString();

    ContainerWindow* window = openAndWait(*context, work() / "signed.coffer");
    ASSERT_TRUE(window->isLoaded()) << window->messageText().toStdString();
    EXPECT_TRUE(window->banner()->text().contains("Signed by you (Work).")) << window->banner()->text().toStdString();
    delete window;
}

TEST_F(IdentitiesGuiTest, WithOneIdentityThereIsNoSignAsBox)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    EncryptDialog dialog(*context, {});
    dialog.show();
    EXPECT_FALSE(dialog.options()->signAsBox()->isVisibleTo(&dialog));
    EXPECT_TRUE(dialog.options()->signerFingerprint().isEmpty());
}

TEST_F(IdentitiesGuiTest, MyCardListsTheIdentitiesMakesOneDefaultAndRemovesOneAfterAWarning)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    coffer::ui::MyCardDialog dialog(*context);
    dialog.show();
    coffer::ui::IdentityBar* bar = dialog.identityBar();
    EXPECT_FALSE(bar->combo()->isVisibleTo(&dialog)) << "one identity: no list";
    EXPECT_TRUE(bar->newButton()->isVisibleTo(&dialog));
    const QString aliceCard = dialog.cardText();

    // New identity…: a name is asked, the new card is shown.
    QSignalSpy saved(&context->keyring(), &KeyringSession::updateFinished);
    coffer::ui::MessageBox::setNextText(QStringLiteral("Work"));
    QTest::mouseClick(bar->newButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(saved));
    ASSERT_EQ(keyringOf(*context).identities().size(), 2u);
    const auto& work = keyringOf(*context).identities()[1];
    EXPECT_TRUE(bar->combo()->isVisibleTo(&dialog));
    EXPECT_EQ(bar->combo()->currentText(), "Work");
    EXPECT_EQ(dialog.cardText().toStdString(), work.card()->encode());
    EXPECT_EQ(dialog.fingerprint().toStdString(), work.card()->fingerprint());
    EXPECT_TRUE(dialog.lastBackupText().contains("Never backed up"));
    if (const char* dir = std::getenv("COFFER_ID_SHOTS"))
        dialog.grab().save(QDir(QString::fromUtf8(dir)).filePath("my-card-identities.png"));

    // A name taken already (any case) is refused, and says so.
    saved.clear();
    coffer::ui::MessageBox::setNextText(QStringLiteral("work"));
    QTest::mouseClick(bar->newButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(saved));
    EXPECT_EQ(keyringOf(*context).identities().size(), 2u);
    EXPECT_TRUE(dialog.statusText().contains("already have an identity named")) << dialog.statusText().toStdString();

    // Make default.
    saved.clear();
    QTest::mouseClick(bar->defaultButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(saved));
    EXPECT_EQ(keyringOf(*context).identity()->name(), "Work");
    EXPECT_EQ(bar->combo()->currentText(), "Work (default)");

    // Remove… Alice: warned; No keeps it, Yes removes it.
    bar->combo()->setCurrentIndex(1);
    EXPECT_EQ(dialog.cardText(), aliceCard);
    coffer::ui::MessageBox::setNextAnswer(QMessageBox::No);
    QTest::mouseClick(bar->removeButton(), Qt::LeftButton);
    EXPECT_TRUE(coffer::ui::MessageBox::lastText().contains("never backed up: containers sent to it can never be "
                                                            "opened again"))
        << coffer::ui::MessageBox::lastText().toStdString();
    EXPECT_EQ(keyringOf(*context).identities().size(), 2u);
    saved.clear();
    coffer::ui::MessageBox::setNextAnswer(QMessageBox::Yes);
    QTest::mouseClick(bar->removeButton(), Qt::LeftButton);
    ASSERT_TRUE(waitFor(saved));
    ASSERT_EQ(keyringOf(*context).identities().size(), 1u);
    EXPECT_EQ(keyringOf(*context).identity()->name(), "Work");
    EXPECT_FALSE(bar->combo()->isVisibleTo(&dialog));
    EXPECT_EQ(dialog.fingerprint().toStdString(), keyringOf(*context).identity()->card()->fingerprint());
}

} // namespace

} // namespace coffer::test::ui
