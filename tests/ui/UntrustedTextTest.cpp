// Names and paths Coffer did not choose are shown as plain text, with their
// control, direction and invisible characters as escapes (SECURITY.md
// "Showing untrusted text"); a card's name is only a suggestion.
#include "UiTestSupport.h"

#include "AddContactDialog.h"
#include "ContactsModel.h"
#include "ContainerModel.h"
#include "SignatureBanner.h"
#include "VerifyContactDialog.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

namespace coffer::test::ui {

namespace {

const QString kRlo = QString(QChar(0x202e));
const std::string kRloUtf8 = "\xe2\x80\xae";

class UntrustedTextTest : public UiTest {};

TEST_F(UntrustedTextTest, TheVerifyDialogShowsTheNameAsPlainText)
{
    const QString name = QStringLiteral("<b>Bob</b> <a href=\"https://x\">verified</a>");
    coffer::ui::VerifyContactDialog dialog(name, QStringLiteral("12345 67890"));
    int showingName = 0;
    for (const QLabel* label : dialog.findChildren<QLabel*>()) {
        if (!label->text().contains(QStringLiteral("Bob")))
            continue;
        ++showingName;
        EXPECT_EQ(label->textFormat(), Qt::PlainText) << label->text().toStdString();
    }
    EXPECT_GT(showingName, 0);
}

TEST_F(UntrustedTextTest, TheVerifyDialogShowsDirectionControlsAsEscapes)
{
    coffer::ui::VerifyContactDialog dialog(QStringLiteral("Bob") + kRlo + QStringLiteral("lanigiro"),
                                           QStringLiteral("12345 67890"));
    bool shown = false;
    for (const QLabel* label : dialog.findChildren<QLabel*>()) {
        EXPECT_FALSE(label->text().contains(kRlo)) << label->text().toStdString();
        shown = shown || label->text().contains(QStringLiteral("Bob\\u{202E}lanigiro"));
    }
    EXPECT_TRUE(shown);
    EXPECT_FALSE(dialog.windowTitle().contains(kRlo));
}

TEST_F(UntrustedTextTest, ACardsNameIsASuggestionTheUserMustConfirm)
{
    const auto mallory = crypto::SecretIdentity::generate("Bob (verified)");
    coffer::ui::AddContactDialog dialog;
    dialog.show();
    dialog.keyField()->setPlainText(QString::fromStdString(mallory.publicText()));
    QTest::mouseClick(dialog.addButton(), Qt::LeftButton);
    EXPECT_NE(dialog.result(), QDialog::Accepted) << "a name that imitates Coffer's status is not taken";
    EXPECT_FALSE(dialog.problemText().isEmpty());

    dialog.nameField()->selectAll();
    QTest::keyClicks(dialog.nameField(), "Mallory");
    QTest::mouseClick(dialog.addButton(), Qt::LeftButton);
    ASSERT_EQ(dialog.result(), QDialog::Accepted) << dialog.problemText().toStdString();
    EXPECT_EQ(dialog.contact()->name, "Mallory");
}

TEST_F(UntrustedTextTest, ASuggestedNameWithDirectionControlsIsNotFilledIn)
{
    const auto evil = crypto::SecretIdentity::generate("Bob" + kRloUtf8 + "lanigiro");
    coffer::ui::AddContactDialog dialog;
    dialog.keyField()->setPlainText(QString::fromStdString(evil.publicText()));
    EXPECT_FALSE(dialog.nameField()->text().contains(kRlo));
    EXPECT_TRUE(dialog.problemText().contains(QStringLiteral("\\u{202E}"))) << dialog.problemText().toStdString();
}

TEST_F(UntrustedTextTest, TablesShowSavedNamesAndPathsEscaped)
{
    const auto evil = crypto::SecretIdentity::generate("Evil");
    auto keyring = Keyring::parse("coffer-keyring 1\ncontact\t" + evil.card()->encode() + "\t0\t0\tEvil" + kRloUtf8 +
                                  "lanigiro\n");
    ASSERT_TRUE(keyring.ok()) << keyring.error().message;
    coffer::ui::ContactsModel contacts;
    contacts.setKeyring(&*keyring);
    const QString shownName =
        contacts.data(contacts.index(0, coffer::ui::ContactsModel::NameColumn), Qt::DisplayRole).toString();
    EXPECT_EQ(shownName, QStringLiteral("Evil\\u{202E}lanigiro"));

    IndexEntry entry;
    entry.info.path = "invoice" + kRloUtf8 + "fdp.exe";
    entry.info.kind = EntryKind::File;
    coffer::ui::ContainerModel files;
    files.setEntries({entry});
    const QModelIndex first = files.index(0, coffer::ui::ContainerModel::NameColumn);
    EXPECT_EQ(files.data(first, Qt::DisplayRole).toString(), QStringLiteral("invoice\\u{202E}fdp.exe"));
    EXPECT_FALSE(files.data(first, Qt::ToolTipRole).toString().contains(kRlo));
}

TEST_F(UntrustedTextTest, TheSignatureBannerShowsTheSignersNameEscaped)
{
    SignatureReport report;
    report.state = SignerState::UnverifiedContact;
    report.signerName = "Evil" + kRloUtf8 + "lanigiro";
    report.intendedRecipients = {"you", "Bob" + kRloUtf8};
    const QString text = coffer::ui::SignatureBanner::describe(report);
    EXPECT_FALSE(text.contains(kRlo)) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("Evil\\u{202E}lanigiro"))) << text.toStdString();
}

} // namespace
} // namespace coffer::test::ui
