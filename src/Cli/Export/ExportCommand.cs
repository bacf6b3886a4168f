using System.CommandLine;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Export;

/// <summary>`ledger export --what emissions|stake|supply --format csv|ndjson [--hotkey H|--coldkey C] [--netuid N]
/// [--from-block B] [--to-block B] [--out FILE]`: rows for accountants, exact integers in rao.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var what = new Option<ExportWhat>("--what") { Required = true, Description = "emissions | stake | supply" };
        var format = new Option<ExportFormat>("--format") { DefaultValueFactory = _ => ExportFormat.Csv, Description = "csv | ndjson" };
        var hotkey = HotkeyOption();
        var coldkey = ColdkeyOption();
        var netuid = NetUidOption();
        var from = BlockOption("--from-block", "First block (inclusive).");
        var to = BlockOption("--to-block", "Last block (inclusive).");
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file instead of stdout." };
        var command = new Command("export", "Export emissions, stake history or supply flows as CSV or NDJSON.")
        {
            what, format, hotkey, coldkey, netuid, from, to, output, ConnectionOption.Create(),
        };
        command.SetAction((parse, ct) => RunAsync(parse,
            () => (Hotkey: Hotkey(parse, hotkey), Coldkey: Coldkey(parse, coldkey), NetUid: NetUid(parse, netuid)),
            async (input, mediator, stdout, token) =>
            {
                var file = parse.GetValue(output);
                var writer = file is null ? stdout : new StreamWriter(file.FullName);
                try
                {
                    var rows = await mediator.Send(new ExportRows(parse.GetValue(what), parse.GetValue(format), writer,
                        input.Hotkey, input.Coldkey, input.NetUid, parse.GetValue(from), parse.GetValue(to)), token).ConfigureAwait(false);
                    if (file is not null)
                    {
                        await stdout.WriteLineAsync($"{Num(rows)} rows written to {file.FullName}".AsMemory(), token).ConfigureAwait(false);
                    }
                }
                finally
                {
                    if (file is not null)
                    {
                        await writer.DisposeAsync().ConfigureAwait(false);
                    }
                }

                return ExitCodes.Ok;
            }, ct));
        return command;
    }
}
