#include "ContactsModel.h"

#include "UntrustedText.h"

#include <QFontDatabase>

namespace coffer::ui {

ContactsModel::ContactsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ContactsModel::setKeyring(const Keyring* keyring)
{
    beginResetModel();
    m_rows.clear();
    if (keyring) {
        for (const Contact& c : keyring->contacts()) {
            Row r;
            r.name = QString::fromStdString(c.name);
            r.verified = c.verified;
            r.hasCard = c.recipient.card() != nullptr;
            r.fingerprint = r.hasCard ? QString::fromStdString(c.recipient.card()->fingerprint()) : QString();
            r.key = QString::fromStdString(c.key);
            m_rows.append(r);
        }
        std::sort(m_rows.begin(), m_rows.end(),
                  [](const Row& a, const Row& b) { return QString::localeAwareCompare(a.name, b.name) < 0; });
    }
    endResetModel();
}

const ContactsModel::Row* ContactsModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

int ContactsModel::rowOfName(const QString& name) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].name.compare(name, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

int ContactsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ContactsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ContactsModel::data(const QModelIndex& index, int role) const
{
    const Row* r = rowAt(index.row());
    if (!r)
        return {};
    if (role == Qt::FontRole && index.column() == FingerprintColumn)
        return QFontDatabase::systemFont(QFontDatabase::FixedFont);
    if (role == Qt::ToolTipRole)
        return r->key;
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return displayable(r->name); // the row keeps the name itself, for finding it again
    case VerifiedColumn:
        if (!r->hasCard)
            return tr("age key (cannot sign)");
        return r->verified ? tr("✔ Verified") : tr("Not verified");
    case FingerprintColumn:
        return r->hasCard ? r->fingerprint : tr("—");
    default:
        return {};
    }
}

QVariant ContactsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case VerifiedColumn:
        return tr("Verified");
    case FingerprintColumn:
        return tr("Fingerprint");
    default:
        return {};
    }
}

} // namespace coffer::ui
