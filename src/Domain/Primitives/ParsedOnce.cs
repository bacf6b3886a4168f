namespace Bittensor.Ledger.Domain.Primitives;

/// <summary>
/// Text that parsed once, remembered with what it parsed to, so that the same SS58 address or account name read
/// again (a stored epoch's postings name every staker's hotkey and coldkey, and `ledger verify` reads thousands of
/// them, issue 12) skips the base58 decode and BLAKE2b checksum. Only successes are kept, so a failure always reparses
/// and reports its reason. Deterministic (a hit returns what a parse would); bounded: emptied when full. Thread-safe,
/// as the API parses on many threads.
/// </summary>
internal sealed class ParsedOnce<T>(int capacity)
{
    private readonly Dictionary<string, T> _known = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool TryGet(string? text, out T value)
    {
        if (text is null)
        {
            value = default!;
            return false;
        }

        lock (_gate)
        {
            return _known.TryGetValue(text, out value!);
        }
    }

    public void Add(string text, T value)
    {
        lock (_gate)
        {
            if (_known.Count >= capacity)
            {
                _known.Clear();
            }

            _known[text] = value;
        }
    }
}
