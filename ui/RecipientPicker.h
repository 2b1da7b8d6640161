// Who can open the container: me (checked by default, so I can open it too),
// my contacts (with a search box), and keys pasted for this one container.
#pragma once

#include "Keyring.h"

#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;

namespace coffer::ui {

class RecipientPicker : public QWidget {
    Q_OBJECT

public:
    explicit RecipientPicker(QWidget* parent = nullptr);

    /// Fills the list: me first, then the contacts by name. Null = no keyring.
    void setKeyring(const Keyring* keyring);
    /// Adds a pasted card or age key (checked); false with a message if it does not parse.
    bool addPastedKey(const QString& text);
    /// Checks or unchecks the row with this name (a contact, or tr("Me")).
    bool setChecked(const QString& name, bool checked);

    std::vector<crypto::RecipientKey> checkedRecipients() const;
    QStringList checkedNames() const;
    int visibleCount() const;

    QLineEdit* searchField() const { return m_search; }
    QListView* view() const { return m_view; }
    QLineEdit* pasteField() const { return m_paste; }
    QPushButton* pasteButton() const { return m_addPasted; }
    QString pasteError() const;

signals:
    void changed();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void focusList();

    QStandardItem* addRow(const QString& label, const QString& name, const std::string& key, bool checked);

    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_search;
    QListView* m_view;
    QLineEdit* m_paste;
    QPushButton* m_addPasted;
    QLabel* m_pasteError;
};

} // namespace coffer::ui
