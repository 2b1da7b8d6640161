#include "ScreenshotTour.h"

#include "AboutDialog.h"
#include "AgeTour.h"
#include "AppContext.h"
#include "AppController.h"
#include "BackupDialog.h"
#include "ContactsDialog.h"
#include "ContainerModel.h"
#include "ContainerWindow.h"
#include "ContrastStyle.h"
#include "Encrypt.h"
#include "EncryptDialog.h"
#include "EncryptOptions.h"
#include "FileDialogs.h"
#include "FirstRunDialog.h"
#include "ImportKeyPage.h"
#include "JobRunner.h"
#include "MainWindow.h"
#include "MessageBox.h"
#include "MyCardDialog.h"
#include "PassphraseFields.h"
#include "PathText.h"
#include "RecipientPicker.h"
#include "SettingsDialog.h"
#include "StallProbe.h"
#include "TourSupport.h"
#include "UnlockDialog.h"
#include "VerifyContactDialog.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeView>

#include <cstdio>

namespace coffer::ui {

using namespace tour;

namespace {

const char* kPassphrase = "correct horse battery staple";

int fail(const char* what)
{
    std::fprintf(stderr, "screenshot tour: %s\n", what);
    return 1;
}

Contact contactFor(const std::string& key, const std::string& name, bool verified)
{
    Contact c;
    c.name = name;
    c.key = key;
    c.recipient = *crypto::parseRecipientKey(c.key);
    c.verified = verified;
    return c;
}

/// Runs the encryption in `dialog`; grabs the progress view once a third is done.
bool encryptWithProgressShot(EncryptDialog* dialog, const QString& dir, bool shot)
{
    bool grabbed = !shot;
    QObject::connect(dialog->runner(), &JobRunner::progressed, dialog, [&](const Progress& p) {
        if (!grabbed && p.bytesTotal > 0 && p.bytesDone * 3 > p.bytesTotal) {
            grabbed = true;
            savePng(dialog, dir, QStringLiteral("05-progress"));
        }
    });
    dialog->startEncryption();
    return waitForSignal(dialog->runner(), &JobRunner::finished, 600000) && dialog->runner()->outcome().ok();
}

} // namespace

int ScreenshotTour::run(AppContext& context, const QString& outputDir)
{
    if (qEnvironmentVariableIsEmpty("COFFER_HOME")) {
        fail("set COFFER_HOME to an empty temporary folder first (tools/screenshots.sh does)");
        return 2;
    }
    if (context.keyring().exists()) {
        fail("this COFFER_HOME already holds a keyring; run the tour with an empty temporary COFFER_HOME");
        return 2;
    }
    QDir().mkpath(outputDir);
    ContrastStyle::apply(QStyleFactory::create(QStringLiteral("Fusion")));
    MessageBox::setTestMode(true);
    FileDialogs::setTestMode(true);
    KeyringSession::setKdfParamsForTests(crypto::Argon2Params{1, 8 * 1024, 1}); // a throwaway keyring
    QTemporaryDir work;
    const QString samples = QDir(work.path()).filePath(QStringLiteral("Documents"));
    writeSampleTree(samples);

    // First run.
    auto* firstRun = new FirstRunDialog(context);
    firstRun->show();
    firstRun->nameField()->setText(QStringLiteral("Alice Example"));
    firstRun->passphraseFields()->firstField()->setText(QString::fromLatin1(kPassphrase));
    firstRun->passphraseFields()->secondField()->setText(QString::fromLatin1(kPassphrase));
    savePng(firstRun, outputDir, QStringLiteral("01-first-run"));
    firstRun->tabs()->setCurrentWidget(firstRun->importPage());
    savePng(firstRun, outputDir, QStringLiteral("01b-first-run-import"));
    firstRun->tabs()->setCurrentIndex(0);
    firstRun->submit();
    if (!waitForSignal(&context.keyring(), &KeyringSession::createFinished) || !context.keyring().isUnlocked())
        return fail("could not create the keyring");
    delete firstRun;

    const auto bob = crypto::SecretIdentity::generate("Bob Builder");
    const auto carol = crypto::SecretIdentity::generate("Carol");
    const auto dave = crypto::SecretIdentity::generate();
    bool contactsSaved = false; // a refused contact (its name, say) fails the whole update
    const auto saved = QObject::connect(&context.keyring(), &KeyringSession::updateFinished,
                                        [&contactsSaved](bool ok, const QString&) { contactsSaved = ok; });
    context.keyring().update(
        [b = contactFor(bob.publicText(), "Bob Builder", true), c = contactFor(carol.publicText(), "Carol", false),
         d = contactFor(crypto::encodeAgeRecipient(dave.x25519Public()), "Dave", false)](Keyring& k) -> Status {
            COFFER_TRY(k.addContact(b));
            COFFER_TRY(k.addContact(c));
            return k.addContact(d);
        });
    const bool finished = waitForSignal(&context.keyring(), &KeyringSession::updateFinished);
    QObject::disconnect(saved);
    if (!finished || !contactsSaved)
        return fail("could not add contacts");

    // Unlock, with a wrong passphrase first.
    context.keyring().lock();
    auto* unlock = new UnlockDialog(context);
    unlock->show();
    unlock->passphraseField()->setText(QStringLiteral("not my passphrase"));
    unlock->unlockButton()->click();
    waitForSignal(&context.keyring(), &KeyringSession::unlockFinished);
    savePng(unlock, outputDir, QStringLiteral("02-unlock-wrong-passphrase"));
    unlock->passphraseField()->setText(QString::fromLatin1(kPassphrase));
    unlock->unlockButton()->click();
    if (!waitForSignal(&context.keyring(), &KeyringSession::unlockFinished) || !context.keyring().isUnlocked())
        return fail("could not unlock");
    delete unlock;

    AppController controller(context);
    controller.start();
    MainWindow* main = controller.mainWindow();
    savePng(main, outputDir, QStringLiteral("03-main-window-empty"));

    // Encrypt the sample folder to Bob.
    const QString sent = QDir(work.path()).filePath(QStringLiteral("Documents.coffer"));
    EncryptDialog* encrypt = controller.openEncryptDialog({samples});
    encrypt->recipients()->setChecked(QStringLiteral("Bob Builder"), true);
    encrypt->options()->setOutputPath(sent);
    savePng(encrypt, outputDir, QStringLiteral("04-encrypt-dialog"));
    if (!encryptWithProgressShot(encrypt, outputDir, false))
        return fail("encryption failed");
    savePng(encrypt, outputDir, QStringLiteral("05b-encrypt-finished"));
    encrypt->close();

    // A large file: the progress view, and how long the event loop ever waited.
    bool sizeOk = false;
    const int bigMiB = qEnvironmentVariableIntValue("COFFER_TOUR_BIG_MIB", &sizeOk);
    const std::uint64_t bigBytes = std::uint64_t(sizeOk && bigMiB > 0 ? bigMiB : 512) * 1024 * 1024;
    const QString big = QDir(work.path()).filePath(QStringLiteral("Video archive.mkv"));
    writeRandomFile(big, bigBytes);
    // Measured without screenshots (a grab takes tens of milliseconds itself)...
    EncryptDialog* bigDialog = controller.openEncryptDialog({big});
    bigDialog->recipients()->setChecked(QStringLiteral("Carol"), true);
    StallProbe probe;
    // The baseline: the same probe with nothing running, to tell the machine's own hiccups from ours.
    probe.start();
    settle(3000);
    probe.stop();
    std::printf("event loop: longest gap %lld ms (GUI thread running %lld ms, waiting for a CPU %lld ms; VM steal %lld "
                "ms) while idle for 3 s (the machine's baseline)\n",
                static_cast<long long>(probe.maxGapMs()), static_cast<long long>(probe.maxGapCpuMs()),
                static_cast<long long>(probe.maxGapWaitMs()), static_cast<long long>(probe.maxGapStealMs()));
    QElapsedTimer clock;
    probe.start();
    clock.start();
    const bool bigOk = encryptWithProgressShot(bigDialog, outputDir, false);
    probe.stop();
    const double seconds = static_cast<double>(clock.elapsed()) / 1000.0;
    std::printf("event loop: longest gap %lld ms (at %lld ms; GUI thread running %lld ms, waiting for a CPU %lld ms; "
                "VM steal %lld ms; 10 ms timer, %lld ticks) while encrypting %llu MiB in %.2f s (%.0f MiB/s)%s\n",
                static_cast<long long>(probe.maxGapMs()), static_cast<long long>(probe.maxGapAtMs()),
                static_cast<long long>(probe.maxGapCpuMs()), static_cast<long long>(probe.maxGapWaitMs()),
                static_cast<long long>(probe.maxGapStealMs()), static_cast<long long>(probe.ticks()),
                static_cast<unsigned long long>(bigBytes >> 20), seconds, static_cast<double>(bigBytes >> 20) / seconds,
                bigOk ? "" : " [FAILED]");
    std::fflush(stdout);
    bigDialog->close();
    QFile::remove(big + QStringLiteral(".coffer"));
    // ...then once more for the picture of the progress view.
    EncryptDialog* shotDialog = controller.openEncryptDialog({big});
    shotDialog->recipients()->setChecked(QStringLiteral("Carol"), true);
    encryptWithProgressShot(shotDialog, outputDir, true);
    shotDialog->close();
    QFile::remove(big);
    context.settings().removeRecentContainer(big + QStringLiteral(".coffer"));
    QFile::remove(big + QStringLiteral(".coffer"));

    // Something Bob sent to Alice, signed: the Open view.
    const QString received = QDir(work.path()).filePath(QStringLiteral("From Bob.coffer"));
    {
        const Keyring* keyring = context.keyring().keyring();
        if (!keyring || !keyring->identity())
            return fail("the keyring has no identity");
        auto alice = crypto::parseRecipientKey(keyring->identity()->publicText());
        if (!alice.ok())
            return fail("the identity has no card");
        EncryptRequest request;
        request.inputs = {toPath(samples)};
        request.recipients.push_back(std::move(*alice));
        request.output = toPath(received);
        request.signer = &bob;
        JobControl job;
        if (!encryptFiles(request, job).ok())
            return fail("could not make the received container");
    }
    ContainerWindow* opened = controller.openContainer(received);
    waitForSignal(opened, &ContainerWindow::loadFinished);
    opened->view()->setCurrentIndex(opened->model()->index(0, 0));
    savePng(opened, outputDir, QStringLiteral("06-open-container"));
    if (!ageShots(context, controller, samples, work.path(), outputDir))
        return fail("the age screens failed");

    ContactsDialog* contacts = controller.showContacts();
    contacts->selectContact(QStringLiteral("Carol"));
    savePng(contacts, outputDir, QStringLiteral("07-contacts"));
    VerifyContactDialog verify(QStringLiteral("Carol"), QString::fromStdString(carol.card()->fingerprint()));
    verify.show();
    verify.heardField()->setText(QString::fromStdString(carol.card()->fingerprint()).left(17));
    savePng(&verify, outputDir, QStringLiteral("07b-verify-contact"));
    verify.close();
    contacts->close();

    MyCardDialog* card = controller.showMyCard();
    savePng(card, outputDir, QStringLiteral("08-my-card"));
    BackupDialog* backup = card->showBackup();
    backup->passphraseFields()->firstField()->setText(QStringLiteral("correct horse battery"));
    savePng(backup, outputDir, QStringLiteral("08b-back-up"));
    backup->close();
    card->close();
    SettingsDialog* settings = controller.showSettings();
    savePng(settings, outputDir, QStringLiteral("09-settings"));
    settings->close();
    AboutDialog* about = controller.showAbout();
    savePng(about, outputDir, QStringLiteral("09b-about"));
    about->close();
    settle();
    savePng(main, outputDir, QStringLiteral("03-main-window"));

    // The same screens with a dark palette.
    QApplication::setPalette(darkPalette());
    settle();
    savePng(main, outputDir, QStringLiteral("10-dark-main-window"));
    savePng(opened, outputDir, QStringLiteral("11-dark-open-container"));
    EncryptDialog* darkEncrypt = controller.openEncryptDialog({samples});
    darkEncrypt->recipients()->setChecked(QStringLiteral("Bob Builder"), true);
    darkEncrypt->options()->setUsePassphrase(true);
    darkEncrypt->options()->passphraseFields()->firstField()->setText(QStringLiteral("short"));
    savePng(darkEncrypt, outputDir, QStringLiteral("12-dark-encrypt-dialog"));
    darkEncrypt->close();
    MyCardDialog* darkCard = controller.showMyCard();
    savePng(darkCard, outputDir, QStringLiteral("13-dark-my-card"));
    darkCard->close();
    savePng(controller.showAbout(), outputDir, QStringLiteral("14-dark-about"));
    return 0;
}

} // namespace coffer::ui
