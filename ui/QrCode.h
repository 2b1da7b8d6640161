// A QR code's modules (libqrencode, error correction M) and how to paint them
// dark on white with the quiet zone: shared by the card's QrCodeWidget and the
// paper key page (whose text is secret, so it is taken as bytes, not a QString).
#pragma once

#include <QRect>

#include <string_view>
#include <vector>

class QPainter;

namespace coffer::ui {

struct QrModules {
    int size = 0; // modules per side; 0 if the text did not fit
    std::vector<bool> dark;
    bool isDark(int x, int y) const;
};

inline constexpr int kQrQuietZone = 4; // modules of white around the code (ISO/IEC 18004)

QrModules encodeQr(std::string_view utf8);
/// White `area` (a square) with the code centred in it, whole device pixels per module when `snap`.
void paintQr(QPainter& painter, const QRectF& area, const QrModules& qr, bool snap = true);

} // namespace coffer::ui
