using Bittensor.Ledger.Application.Store;
using Npgsql;

namespace Bittensor.Ledger.Api;

/// <summary>
/// Answers that are a function of the event log alone (the emissions read models are projected from it), kept per
/// version of the log: the identity of its table (a reset or `simulate --reset` drops and creates it again) and its
/// high water (every append raises it, whoever appends: this server's writes, `ledger import`, another process). One
/// statement reads the version; while it is unchanged a repeated question gets the bytes and ETag it got before
/// without running the query. When the version moves every kept answer is dropped. Bounded in entries and bytes.
/// </summary>
public sealed class AnswerCache(NpgsqlDataSource dataSource)
{
    public const int MaxEntries = 1_024;
    public const long MaxBytes = 128L * 1024 * 1024;

    private readonly Lock _gate = new();
    private LogVersion? _version;
    private Dictionary<string, Answer> _answers = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>The log's version now, or null when the ledger has no event table yet (nothing is kept then).</summary>
    public async Task<LogVersion?> VersionAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select t.oid::bigint, (select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events) " +
            $"from (select to_regclass('{LedgerStore.Schema}.mt_events') as oid) t where t.oid is not null");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? new LogVersion(reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public bool TryGet(LogVersion version, string key, out Answer answer)
    {
        lock (_gate)
        {
            if (_version == version && _answers.TryGetValue(key, out var kept))
            {
                answer = kept;
                return true;
            }
        }

        answer = default;
        return false;
    }

    /// <summary>Keeps <paramref name="answer"/>, computed after <paramref name="version"/> was read (so from a log at
    /// least as new: a later append gives later requests a newer version, which misses).</summary>
    public void Put(LogVersion version, string key, Answer answer)
    {
        lock (_gate)
        {
            if (_version != version)
            {
                if (_version is { } kept && (version.Table == kept.Table && version.HighWater < kept.HighWater))
                {
                    return; // a slower request's older version: keep the newer set
                }

                _version = version;
                _answers = new Dictionary<string, Answer>(StringComparer.Ordinal);
                _bytes = 0;
            }

            if (_answers.Count >= MaxEntries || _bytes + answer.Utf8.Length > MaxBytes || !_answers.TryAdd(key, answer))
            {
                return;
            }

            _bytes += answer.Utf8.Length;
        }
    }

    public readonly record struct LogVersion(long Table, long HighWater);

    /// <summary>An answer's JSON and its ETag.</summary>
    public readonly record struct Answer(byte[] Utf8, string ETag);
}
