// Small phrases used in several windows: counts with the right singular or
// plural (tr() with %n; EnglishPlurals gives the English forms), and sizes.
#pragma once

#include <QCoreApplication>
#include <QString>

#include <cstdint>

namespace coffer::ui {

class Texts {
    Q_DECLARE_TR_FUNCTIONS(Texts)

public:
    /// "1 file", "5 files".
    static QString files(std::uint64_t count);
    /// "1.5 MiB" (binary units, as the progress speed).
    static QString size(std::uint64_t bytes);
    /// "about 1 second left", "about 3 minutes left"; empty when unknown (negative).
    static QString timeLeft(double seconds);
};

} // namespace coffer::ui
