// Every dialog's main button answers Return: it is the dialog's one default
// button once the dialog is shown, whatever other buttons its pages hold.
#include "UiTestSupport.h"

#include "AddContactDialog.h"
#include "EncryptDialog.h"
#include "FirstRunDialog.h"
#include "MyCardDialog.h"
#include "UnlockDialog.h"
#include "VerifyContactDialog.h"

#include <QDialog>
#include <QPushButton>

namespace coffer::test::ui {

namespace {

class DialogButtonsTest : public UiTest {
protected:
    /// The text of the one default button (mnemonic '&' removed), or why there is none.
    static QString defaultButtonOf(QDialog& dialog)
    {
        dialog.show();
        QStringList defaults;
        for (const QPushButton* button : dialog.findChildren<QPushButton*>()) {
            if (button->isDefault())
                defaults << button->text().remove(QLatin1Char('&')) + (button->isVisible() ? "" : " (hidden)");
        }
        return defaults.join(QStringLiteral(", "));
    }
};

TEST_F(DialogButtonsTest, FirstRunDefaultsToCreateNotToAButtonOnTheHiddenImportPage)
{
    AppContext context;
    coffer::ui::FirstRunDialog dialog(context);
    EXPECT_EQ(defaultButtonOf(dialog).toStdString(), "Create my identity");
}

TEST_F(DialogButtonsTest, UnlockDefaultsToUnlock)
{
    auto context = makeLockedContext("Alice", "the right passphrase");
    coffer::ui::UnlockDialog dialog(*context);
    EXPECT_EQ(defaultButtonOf(dialog).toStdString(), "Unlock");
}

TEST_F(DialogButtonsTest, EncryptAddContactMyCardAndVerifyDefaultToTheirMainAction)
{
    auto context = makeUnlockedContext("Alice", "alice passphrase");
    writeFile(work() / "a.txt", "alpha\n");
    coffer::ui::EncryptDialog encrypt(*context, {workPath("a.txt")});
    EXPECT_EQ(defaultButtonOf(encrypt).toStdString(), "Encrypt");
    coffer::ui::AddContactDialog add;
    EXPECT_EQ(defaultButtonOf(add).toStdString(), "Add contact");
    coffer::ui::MyCardDialog card(*context);
    EXPECT_EQ(defaultButtonOf(card).toStdString(), "Copy card");
    coffer::ui::VerifyContactDialog verify(QStringLiteral("Bob"), QStringLiteral("12345 67890"));
    EXPECT_EQ(defaultButtonOf(verify).toStdString(), "Mark verified");
}

} // namespace

} // namespace coffer::test::ui
