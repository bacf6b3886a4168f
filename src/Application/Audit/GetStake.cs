using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.StakeLedger;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>Stake of one coldkey (per hotkey and subnet) or on one hotkey (per coldkey and subnet), now or as of the
/// end of a block, with the hotkey's total on each subnet and the key's total per subnet (alpha of different subnets
/// is never added together).</summary>
public sealed record GetStake(Coldkey? Coldkey = null, Hotkey? Hotkey = null, ulong? AtBlock = null) : IQuery<StakeReport>
{
    public sealed class Validator : AbstractValidator<GetStake>
    {
        public Validator() =>
            RuleFor(x => x).Must(x => (x.Coldkey is null) != (x.Hotkey is null))
                .OverridePropertyName("coldkey").WithMessage("give exactly one of --coldkey, --hotkey");
    }
}

public sealed record StakePosition(ushort NetUid, string Hotkey, string Coldkey, ulong Stake, ulong HotkeyTotal, ulong LastChangeBlock);

/// <param name="Source"><c>computed</c>: the ledger's books; <c>observed</c>: a hotkey of a subnet `ledger chain sync`
/// recorded, as the chain stored its alpha (ChainSync/ObservedStakePositions).</param>
public sealed record StakeReport(ulong? AtBlock, IReadOnlyList<StakePosition> Positions, IReadOnlyDictionary<ushort, ulong> TotalBySubnet, string Source = "computed");

public sealed class GetStakeHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, StoredEvents stored, LockWaits waits) : IQueryHandler<GetStake, StakeReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<StakeReport> Handle(GetStake query, CancellationToken cancellationToken)
    {
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var keyColumn = query.Coldkey is not null ? "coldkey" : "hotkey";
        var key = query.Coldkey?.Address ?? query.Hotkey!.Value.Address;
        var at = query.AtBlock is { } b ? checked((long)b) : long.MaxValue;
        // Latest balance per position at or before the block; then the hotkeys' totals over all their coldkeys.
        var sql =
            $"with p as (select distinct on (netuid, hotkey, coldkey) netuid, hotkey, coldkey, balance, block from {StakeLedgerProjection.HistoryTable} " +
            $"where {keyColumn} = @key and block <= @at order by netuid, hotkey, coldkey, seq_id desc, ordinal desc), " +
            $"t as (select netuid, hotkey, sum(balance) as total from (select distinct on (netuid, hotkey, coldkey) netuid, hotkey, balance " +
            $"from {StakeLedgerProjection.HistoryTable} where hotkey in (select hotkey from p) and block <= @at " +
            "order by netuid, hotkey, coldkey, seq_id desc, ordinal desc) x group by netuid, hotkey) " +
            "select p.netuid, p.hotkey, p.coldkey, p.balance, t.total, p.block from p join t using (netuid, hotkey) where p.balance <> 0 order by p.netuid, p.hotkey, p.coldkey";
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("key", key);
        cmd.Parameters.AddWithValue("at", at);
        var positions = new List<StakePosition>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                positions.Add(new StakePosition(checked((ushort)reader.GetInt32(0)), reader.GetString(1), reader.GetString(2),
                    AuditReadModels.Rao(reader.GetFieldValue<BigInteger>(3)), AuditReadModels.Rao(reader.GetFieldValue<BigInteger>(4)),
                    checked((ulong)reader.GetInt64(5))));
            }
        }

        var source = "computed";
        if (positions.Count == 0 && query.Hotkey is { } hotkey
            && await ObservedStakePositions.ReadAsync(dataSource, stored, hotkey.Address, query.AtBlock, cancellationToken).ConfigureAwait(false) is { Count: > 0 } observed)
        {
            // A hotkey the ledger never booked may be one of a subnet `ledger chain sync` recorded: its alpha as the chain stored it.
            positions.AddRange(observed);
            source = ObservedMetagraph.Source;
        }

        if (positions.Count == 0)
        {
            await AuditReadModels.EnsureKeyKnownAsync(dataSource, keyColumn, key, cancellationToken).ConfigureAwait(false);
        }

        var totals = positions.GroupBy(p => p.NetUid).ToDictionary(g => g.Key, g => g.Aggregate(0UL, (s, p) => checked(s + p.Stake)));
        return new StakeReport(query.AtBlock, positions, totals, source);
    }
}
