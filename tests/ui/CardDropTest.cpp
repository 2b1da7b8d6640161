// Cards received on the contacts window (issue 23): card text or a .card
// file dropped, or a card pasted, opens Add with its fingerprint and the
// name to confirm; hostile drops (a huge file, binary junk, several cards, a
// card whose name holds control characters) are refused with a reason.
#include "UiTestSupport.h"

#include "AddContactDialog.h"
#include "Bech32.h"
#include "CardDrop.h"
#include "ContactsDialog.h"
#include "ContactsModel.h"
#include "Keys.h"
#include "QrCodeWidget.h"

#include <QClipboard>
#include <QDragEnterEvent>
#include <QGuiApplication>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>
#include <QUrl>

namespace coffer::test::ui {

namespace {

namespace fs = std::filesystem;
using coffer::ui::AddContactDialog;
using coffer::ui::ContactsDialog;
using coffer::ui::KeyringSession;

class CardDropTest : public UiTest {
protected:
    // Confirms the name in the open Add dialog and waits for the save.
    void confirm(ContactsDialog& dialog, AddContactDialog* add, const QString& expectName)
    {
        ASSERT_NE(add, nullptr) << dialog.messageText().toStdString();
        EXPECT_EQ(add->nameField()->text(), expectName);
        QSignalSpy updates(&m_context->keyring(), &KeyringSession::updateFinished);
        QTest::mouseClick(add->addButton(), Qt::LeftButton);
        ASSERT_TRUE(waitFor(updates));
    }
    std::unique_ptr<AppContext> m_context;
};

QString fingerprintShown(AddContactDialog* add)
{
    for (QLabel* label : add->findChildren<QLabel*>())
        if (label->accessibleName() == QStringLiteral("Fingerprint of the card"))
            return label->text();
    return {};
}

} // namespace

TEST_F(CardDropTest, DroppedCardTextShowsTheFingerprintAndAddsTheContact)
{
    m_context = makeUnlockedContext("Alice", "alice passphrase");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    ContactsDialog dialog(*m_context);
    dialog.show();
    QMimeData mime;
    mime.setText(QStringLiteral("Hi Alice, here is my card:\n%1\n").arg(QString::fromStdString(bob.publicText())));
    ASSERT_TRUE(dropMimeData(&dialog, mime));
    auto* add = dialog.findChild<AddContactDialog*>();
    ASSERT_NE(add, nullptr) << dialog.messageText().toStdString();
    EXPECT_EQ(fingerprintShown(add).toStdString(), fingerprintOf(bob));
    confirm(dialog, add, QStringLiteral("Bob"));
    ASSERT_NE(keyringOf(*m_context).findContact("Bob"), nullptr);
    EXPECT_EQ(dialog.model()->rowAt(0)->fingerprint.toStdString(), fingerprintOf(bob));
}

TEST_F(CardDropTest, ADroppedCardFileAndAPastedCardAreAddedToo)
{
    m_context = makeUnlockedContext("Alice", "alice passphrase");
    const auto carol = crypto::SecretIdentity::generate("Carol");
    const auto dave = crypto::SecretIdentity::generate("Dave");
    writeFile(work() / "carol.card", carol.publicText() + "\n");
    ContactsDialog dialog(*m_context);
    dialog.show();

    QMimeData file;
    file.setUrls({QUrl::fromLocalFile(workPath("carol.card"))});
    ASSERT_TRUE(dropMimeData(&dialog, file));
    auto* add = dialog.findChild<AddContactDialog*>();
    ASSERT_NE(add, nullptr) << dialog.messageText().toStdString();
    EXPECT_EQ(fingerprintShown(add).toStdString(), fingerprintOf(carol));
    confirm(dialog, add, QStringLiteral("Carol"));
    delete add;

    QGuiApplication::clipboard()->setText(QString::fromStdString(dave.publicText()));
    dialog.pasteCard();
    auto* pasted = dialog.findChild<AddContactDialog*>();
    ASSERT_NE(pasted, nullptr) << dialog.messageText().toStdString();
    EXPECT_EQ(fingerprintShown(pasted).toStdString(), fingerprintOf(dave));
    pasted->nameField()->setText(QStringLiteral("Dave from work"));
    confirm(dialog, pasted, QStringLiteral("Dave from work"));
    EXPECT_NE(keyringOf(*m_context).findContact("Carol"), nullptr);
    EXPECT_NE(keyringOf(*m_context).findContact("Dave from work"), nullptr);
}

TEST_F(CardDropTest, HostileDropsAreRefusedWithAReason)
{
    m_context = makeUnlockedContext("Alice", "alice passphrase");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    const auto eve = crypto::SecretIdentity::generate("Eve");
    // A card whose name holds control characters: built by hand, as Coffer's encoder would never write one.
    const crypto::ContactCard eveCard = *eve.card();
    crypto::Bytes raw{1};
    raw.insert(raw.end(), eveCard.x25519.begin(), eveCard.x25519.end());
    raw.insert(raw.end(), eveCard.ed25519.begin(), eveCard.ed25519.end());
    const std::string controlName = "Eve\x1b[2J\x07";
    raw.insert(raw.end(), controlName.begin(), controlName.end());
    const std::string controlCard = crypto::bech32Encode(crypto::kCardHrp, raw);
    writeFile(work() / "huge.card", std::string(1024 * 1024, 'c'));
    std::string junk(3000, '\0');
    for (std::size_t i = 0; i < junk.size(); ++i)
        junk[i] = static_cast<char>(i * 131 + 7);
    writeFile(work() / "junk.card", junk);

    ContactsDialog dialog(*m_context);
    dialog.show();
    struct Case {
        const char* name;
        std::function<void(QMimeData&)> fill;
        const char* says;
    };
    const Case cases[] = {
        {"huge file", [&](QMimeData& m) { m.setUrls({QUrl::fromLocalFile(workPath("huge.card"))}); }, "too large"},
        {"binary junk", [&](QMimeData& m) { m.setUrls({QUrl::fromLocalFile(workPath("junk.card"))}); }, "not text"},
        {"several cards",
         [&](QMimeData& m) { m.setText(QString::fromStdString(bob.publicText() + "\n" + eve.publicText())); },
         "2 cards"},
        {"no card", [&](QMimeData& m) { m.setText(QStringLiteral("see you tomorrow")); }, "No card"},
        {"control characters in the name", [&](QMimeData& m) { m.setText(QString::fromStdString(controlCard)); },
         "name is not valid text"},
        {"huge text", [&](QMimeData& m) { m.setText(QString(100000, QLatin1Char('x'))); }, "too long"},
    };
    for (const Case& c : cases) {
        QMimeData mime;
        c.fill(mime);
        dropMimeData(&dialog, mime);
        EXPECT_EQ(dialog.findChild<AddContactDialog*>(), nullptr) << c.name;
        EXPECT_TRUE(dialog.messageText().contains(QString::fromUtf8(c.says)))
            << c.name << ": " << dialog.messageText().toStdString();
        EXPECT_FALSE(dialog.messageText().contains(QChar(0x1b))) << c.name;
    }
    EXPECT_TRUE(keyringOf(*m_context).contacts().empty());
    if (const QByteArray dir = qgetenv("COFFER_SCREENSHOT_DIR"); !dir.isEmpty())
        dialog.grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/contacts-refused.png"));
}

TEST_F(CardDropTest, APictureOfTheCardsQrCodeAddsTheContact)
{
    m_context = makeUnlockedContext("Alice", "alice passphrase");
    const auto bob = crypto::SecretIdentity::generate("Bob");
    coffer::ui::QrCodeWidget qr; // what My card shows
    ASSERT_TRUE(qr.setText(QString::fromStdString(bob.publicText())));
    qr.resize(400, 400);
    ASSERT_TRUE(qr.grab().save(workPath("bob-card.png")));
    // A picture file named as anything: its content decides.
    fs::copy_file(work() / "bob-card.png", work() / "photo.dat");

    ContactsDialog dialog(*m_context);
    dialog.show();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(workPath("photo.dat"))});
    ASSERT_TRUE(dropMimeData(&dialog, mime));
    auto* add = dialog.findChild<AddContactDialog*>();
    ASSERT_NE(add, nullptr) << dialog.messageText().toStdString();
    EXPECT_EQ(fingerprintShown(add).toStdString(), fingerprintOf(bob));
    confirm(dialog, add, QStringLiteral("Bob"));
    EXPECT_NE(keyringOf(*m_context).findContact("Bob"), nullptr);
}

TEST_F(CardDropTest, PicturesWithoutACardOrTooLargeAreRefused)
{
    m_context = makeUnlockedContext("Alice", "alice passphrase");
    QImage blank(300, 200, QImage::Format_RGB32);
    blank.fill(Qt::white);
    ASSERT_TRUE(blank.save(workPath("blank.png")));
    // A picture that claims 100000 x 100000 pixels: refused from its header, never decoded.
    writeFile(work() / "bomb.pgm", "P5\n100000 100000\n255\n" + std::string(64, '\x7f'));
    coffer::ui::QrCodeWidget qr;
    ASSERT_TRUE(qr.setText(QStringLiteral("hello, not a card")));
    qr.resize(300, 300);
    ASSERT_TRUE(qr.grab().save(workPath("other-qr.png")));

    ContactsDialog dialog(*m_context);
    dialog.show();
    const std::pair<const char*, const char*> cases[] = {
        {"blank.png", "No QR code was found"},
        {"bomb.pgm", "far too large"},
        {"other-qr.png", "No card was found"},
    };
    for (const auto& [file, says] : cases) {
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(workPath(file))});
        dropMimeData(&dialog, mime);
        EXPECT_EQ(dialog.findChild<AddContactDialog*>(), nullptr) << file;
        EXPECT_TRUE(dialog.messageText().contains(QString::fromUtf8(says)))
            << file << ": " << dialog.messageText().toStdString();
    }
    EXPECT_TRUE(keyringOf(*m_context).contacts().empty());
}

} // namespace coffer::test::ui
