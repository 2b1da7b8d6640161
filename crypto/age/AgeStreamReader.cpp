// STREAM reader (age.md, "Payload"). The input is cut into 64 KiB + 16
// pieces, as a sequential reader would: a piece shorter than that can only be
// the final chunk. A full piece is tried as a middle chunk, then as the final
// one (a full-sized final chunk is allowed). Plaintext is released in order
// and only for chunks that verified; a valid final chunk followed by anything
// at all, a stream that ends without a final chunk, and an empty final chunk
// after others are refused after the chunks before them were released.
#include "AgeStream.h"

#include "AgeStreamWorkers.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace coffer::crypto::age {

namespace {

enum class Opened : std::uint8_t { Failed, Middle, Final };

constexpr std::size_t kBatchSealed = kStreamBatchChunks * kSealedAgeChunkSize;

Error payloadError(const std::string& what)
{
    return makeError(ErrorCode::Damaged, "this age file's content " + what + "; it was damaged or tampered with");
}

} // namespace

struct StreamReader::Impl {
    enum class State { Empty, Filled, Submitted, Done };
    struct Slot {
        Bytes sealed;
        SecureBytes plain;
        std::vector<Opened> opened;
        std::uint64_t first = 0;
        std::size_t count = 0;
        std::size_t lastSize = 0;
        bool atEnd = false;
        bool badTail = false; // bytes after the last piece too few to be a chunk, or no chunk at all
        std::optional<Error> readError;
        State state = State::Empty;
    };

    StreamCiphers ciphers;
    ByteSource* source = nullptr;
    Slot slots[3];
    int current = 0;
    bool started = false;
    Bytes carry; // the look-ahead byte read past a batch
    std::uint64_t nextIndex = 0;
    bool sourceEnded = false;
    std::size_t plainPos = 0;
    std::size_t plainEnd = 0;
    bool done = false;
    std::optional<Error> pending; // a failure after the released chunks
    std::optional<Error> error;

    ~Impl() { waitWorkers(); }
    void waitWorkers();
    void fill(Slot& slot);
    void submit(Slot& slot);
    void evaluate(Slot& slot);
    void advance();
    void wipe();
};

void StreamReader::Impl::waitWorkers()
{
    for (auto& slot : slots)
        if (slot.state == State::Submitted) {
            ciphers.pool->wait();
            slot.state = State::Filled;
        }
}

void StreamReader::Impl::fill(Slot& slot)
{
    // One batch of pieces plus one byte: only then is it known whether the batch ends the stream.
    Slot fresh;
    fresh.sealed = std::move(slot.sealed);
    fresh.plain = std::move(slot.plain);
    fresh.opened = std::move(slot.opened);
    slot = std::move(fresh);
    if (sourceEnded)
        return;
    std::size_t have = carry.size();
    growBuffer(slot.sealed, kSealedAgeChunkSize + 1, kBatchSealed + 1);
    std::copy(carry.begin(), carry.end(), slot.sealed.begin());
    carry.clear();
    while (have < kBatchSealed + 1) {
        growBuffer(slot.sealed, std::max(have + 1, kSealedAgeChunkSize + 1), kBatchSealed + 1);
        auto n = source->read(MutableByteView(slot.sealed).subspan(have));
        if (!n.ok())
            slot.readError = n.error();
        if (!n.ok() || *n == 0)
            break;
        have += *n;
    }
    slot.atEnd = have <= kBatchSealed;
    sourceEnded = slot.atEnd;
    slot.count = std::min(have, kBatchSealed) / kSealedAgeChunkSize;
    slot.lastSize = kAgeChunkSize;
    // After a read error the bytes that came are not a final chunk, only whole pieces before the error.
    const std::size_t rest = slot.atEnd && !slot.readError ? have % kSealedAgeChunkSize : 0;
    if (rest >= kAeadTagSize) {
        slot.lastSize = rest - kAeadTagSize;
        ++slot.count;
    }
    slot.badTail = slot.atEnd && rest > 0 && rest < kAeadTagSize;
    if (!slot.atEnd)
        carry.push_back(slot.sealed[kBatchSealed]);
    growBuffer(slot.plain, slot.count * kAgeChunkSize, kStreamBatchChunks * kAgeChunkSize);
    slot.first = nextIndex;
    nextIndex += slot.count;
    slot.state = State::Filled;
}

void StreamReader::Impl::submit(Slot& slot)
{
    slot.opened.assign(slot.count, Opened::Failed);
    slot.state = State::Submitted;
    if (slot.count == 0)
        return; // the pool's wait() returns at once
    Slot* s = &slot;
    ciphers.pool->submit(slot.count, [this, s](unsigned worker, std::size_t i) {
        const std::size_t size = i + 1 == s->count ? s->lastSize : kAgeChunkSize;
        const ByteView sealed(s->sealed.data() + i * kSealedAgeChunkSize, size + kAeadTagSize);
        const MutableByteView plain(s->plain.data() + i * kAgeChunkSize, size);
        auto& aead = ciphers.perWorker[worker];
        const std::uint64_t index = s->first + i;
        if (size < kAgeChunkSize) {
            // Only the final chunk is short, and it is empty only if it is the only one.
            if ((size > 0 || index == 0) && aead.open(chunkNonce(index, true), sealed, plain))
                s->opened[i] = Opened::Final;
        } else if (aead.open(chunkNonce(index, false), sealed, plain)) {
            s->opened[i] = Opened::Middle;
        } else if (aead.open(chunkNonce(index, true), sealed, plain)) {
            s->opened[i] = Opened::Final;
        }
    });
}

void StreamReader::Impl::evaluate(Slot& slot)
{
    std::size_t good = 0;
    for (; good < slot.count && !pending; ++good) {
        if (slot.opened[good] == Opened::Failed) {
            pending = payloadError("failed authentication at chunk " + std::to_string(slot.first + good));
            break;
        }
        if (slot.opened[good] == Opened::Final) {
            if (good + 1 != slot.count || !slot.atEnd || slot.badTail)
                pending = payloadError("has data after its final chunk");
            done = true;
        }
    }
    if (!pending && slot.readError) // the input failed after these chunks (the armor, the disk)
        pending = slot.readError;
    else if (!pending && !done && slot.atEnd)
        pending = payloadError("is cut short (the final chunk is missing)");
    plainPos = 0;
    plainEnd = good == 0 ? 0 : (good - 1) * kAgeChunkSize + (good == slot.count ? slot.lastSize : kAgeChunkSize);
    slot.state = State::Done;
}

void StreamReader::Impl::advance()
{
    // Open the next filled batch while the caller reads this one, and read
    // the one after it from the source meanwhile: I/O, opening and the
    // caller's work overlap.
    if (started)
        current = (current + 1) % 3;
    started = true;
    Slot& slot = slots[current];
    if (slot.state == State::Empty) { // cannot happen: the batch that ended the input ended reading
        pending = payloadError("is cut short");
        return;
    }
    if (slot.state == State::Filled)
        submit(slot);
    ciphers.pool->wait();
    evaluate(slot);
    if (done || pending)
        return;
    Slot& next = slots[(current + 1) % 3];
    if (next.state == State::Filled)
        submit(next);
    fill(slots[(current + 2) % 3]);
}

void StreamReader::Impl::wipe()
{
    waitWorkers();
    for (auto& slot : slots)
        secureWipe(slot.plain.data(), slot.plain.size());
}

StreamReader::StreamReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
StreamReader::~StreamReader() = default;

Result<std::unique_ptr<StreamReader>> StreamReader::create(ByteView payloadKey, ByteSource& source)
{
    auto ciphers = StreamCiphers::create(payloadKey, WorkerPool::shared());
    COFFER_TRY(ciphers);
    auto impl = std::make_unique<Impl>();
    impl->ciphers = std::move(*ciphers);
    impl->source = &source;
    impl->fill(impl->slots[0]);
    impl->submit(impl->slots[0]);
    impl->fill(impl->slots[1]);
    return std::unique_ptr<StreamReader>(new StreamReader(std::move(impl)));
}

Result<std::size_t> StreamReader::read(MutableByteView out)
{
    auto& d = *m_impl;
    if (d.error)
        return *d.error;
    std::size_t total = 0;
    while (total < out.size()) {
        if (d.plainPos == d.plainEnd) {
            if (d.pending) {
                // Release what authenticated first; the error comes with the next call.
                d.error = d.pending;
                d.wipe();
                return total > 0 ? Result<std::size_t>(total) : Result<std::size_t>(*d.error);
            }
            if (d.done && d.started)
                break;
            d.advance();
            continue;
        }
        const std::size_t take = std::min(out.size() - total, d.plainEnd - d.plainPos);
        std::memcpy(out.data() + total, d.slots[d.current].plain.data() + d.plainPos, take);
        d.plainPos += take;
        total += take;
    }
    return total;
}

} // namespace coffer::crypto::age
