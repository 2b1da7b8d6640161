// The contacts as a table: name, verified, fingerprint. A snapshot of the
// keyring's public data, refreshed when the keyring changes.
#pragma once

#include "Keyring.h"

#include <QAbstractTableModel>

namespace coffer::ui {

class ContactsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { NameColumn, VerifiedColumn, FingerprintColumn, ColumnCount };

    struct Row {
        QString name;
        bool verified = false;
        bool hasCard = false; // age keys have no card and no fingerprint
        QString fingerprint;
        QString key;
    };

    explicit ContactsModel(QObject* parent = nullptr);

    void setKeyring(const Keyring* keyring);
    const Row* rowAt(int row) const;
    int rowOfName(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Row> m_rows;
};

} // namespace coffer::ui
