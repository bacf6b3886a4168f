using System.Diagnostics;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Domain.Primitives;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bittensor.Ledger.MainnetDay.Bench;

/// <param name="FirstMs">The first run in this process (connection pool empty, Marten's first session).</param>
public sealed record QueryTiming(string Name, string Cli, int Rows, double FirstMs, double MedianMs, double P95Ms, int Runs);

/// <summary>The audit questions a user asks of a day, through Mediator as the CLI and the API send them: a hotkey's
/// emission over all its epochs, a subnet's emission, a metagraph at a past block, supply over the whole range, and
/// a coldkey's stake now and at a past block. The keys are the busiest ones in the read models.</summary>
internal static class AuditQueries
{
    public static async Task<IReadOnlyList<QueryTiming>> RunAsync(string connectionString, NpgsqlDataSource dataSource, ulong lastBlock, int runs)
    {
        var hotkey = await ScalarAsync(dataSource, "select hotkey from ledger.emission_history group by hotkey order by count(*) desc, hotkey limit 1");
        var coldkey = await ScalarAsync(dataSource, "select coldkey from ledger.stake_balance group by coldkey order by count(*) desc, coldkey limit 1");
        var mid = lastBlock / 2;
        await using var services = new ServiceCollection().AddLedgerApplication(connectionString).BuildServiceProvider();
        var queries = new List<(string Name, string Cli, Func<IMediator, ValueTask<int>> Run)>
        {
            ("hotkey emission, all epochs", $"ledger emissions --hotkey {hotkey}",
                async m => (await m.Send(new GetEmissions(Hotkey: Hotkey.Parse(hotkey)))).Rows.Count),
            ("subnet 1 emission, all epochs", "ledger emissions --netuid 1",
                async m => (await m.Send(new GetEmissions(NetUid: new NetUid(1)))).Rows.Count),
            ("metagraph subnet 1 at mid-day", $"ledger metagraph --netuid 1 --at-block {mid}",
                async m => (await m.Send(new GetMetagraph(new NetUid(1), mid))).Neurons.Count),
            ("supply over all blocks", $"ledger supply --from-block 0 --to-block {lastBlock}",
                async m => (await m.Send(new GetSupply(0, lastBlock))).Assets.Count),
            ("supply per epoch of subnet 1", "ledger supply --by-epoch --netuid 1",
                async m => (await m.Send(new GetSupply(ByEpochNetUid: new NetUid(1)))).Epochs.Count),
            ("coldkey stake now", $"ledger stake --coldkey {coldkey}",
                async m => (await m.Send(new GetStake(Coldkey: Coldkey.Parse(coldkey)))).Positions.Count),
            ("coldkey stake at mid-day", $"ledger stake --coldkey {coldkey} --at-block {mid}",
                async m => (await m.Send(new GetStake(Coldkey: Coldkey.Parse(coldkey), AtBlock: mid))).Positions.Count),
        };

        var timings = new List<QueryTiming>();
        foreach (var (name, cli, run) in queries)
        {
            var times = new List<double>();
            var rows = 0;
            var first = 0.0;
            for (var i = 0; i <= runs; i++)
            {
                await using var scope = services.CreateAsyncScope();
                var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
                var clock = Stopwatch.StartNew();
                rows = await run(mediator);
                var ms = clock.Elapsed.TotalMilliseconds;
                if (i == 0)
                {
                    first = ms;
                }
                else
                {
                    times.Add(ms);
                }
            }

            times.Sort();
            timings.Add(new QueryTiming(name, cli, rows, first, times[times.Count / 2], times[Math.Min(times.Count - 1, (int)(times.Count * 0.95))], runs));
        }

        return timings;
    }

    private static async Task<string> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        return (string?)await cmd.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no row for: {sql}");
    }
}
