// Contacts: the list (name, verified, fingerprint), Add, Rename, Verify and
// Remove. Changes are saved to the keyring off the GUI thread. A card dropped
// or pasted on the window (text or a card file, CardDrop.h) opens Add with it.
#pragma once

#include <QDialog>

class QMimeData;
class QPushButton;
class QTableView;

namespace coffer::ui {

class AppContext;
class ContactsModel;
class NoticePanel;

class ContactsDialog : public QDialog {
    Q_OBJECT

public:
    explicit ContactsDialog(AppContext& context, QWidget* parent = nullptr);

    ContactsModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QString messageText() const;
    /// Selects the row of this contact; false if there is none.
    bool selectContact(const QString& name);

public slots:
    /// Opens the add dialog (prefilled with `key`, e.g. a signer's card).
    void addContact(const QString& key = {});
    void renameSelected();
    void verifySelected();
    void removeSelected();
    /// A card dropped or pasted: Add with it, or a notice saying why not.
    void receiveCard(const QMimeData* mime);
    /// receiveCard() of the clipboard (Ctrl+V).
    void pasteCard();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QString selectedName() const;
    void refresh();
    void onUpdated(bool ok, const QString& message);

    AppContext& m_context;
    ContactsModel* m_model;
    QTableView* m_view;
    NoticePanel* m_notice;
    QPushButton* m_add;
    QPushButton* m_rename;
    QPushButton* m_verify;
    QPushButton* m_remove;
    QString m_pendingSuccess;
};

} // namespace coffer::ui
