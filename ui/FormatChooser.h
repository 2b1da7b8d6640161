// The encrypt dialog's format: a Coffer container (recommended) or an age
// file for people who use age (issue 20), with one sentence on what age
// lacks, shown when age is chosen.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;

namespace coffer::ui {

class FormatChooser : public QWidget {
    Q_OBJECT

public:
    explicit FormatChooser(QWidget* parent = nullptr);

    bool isAge() const;
    void setAge(bool age);
    QComboBox* box() const { return m_box; }
    QString noteText() const;

signals:
    void changed(bool age);

private:
    QComboBox* m_box;
    QLabel* m_note;
};

} // namespace coffer::ui
