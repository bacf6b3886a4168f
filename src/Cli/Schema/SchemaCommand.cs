using System.CommandLine;
using Bittensor.Ledger.Application.Store;

namespace Bittensor.Ledger.Cli.Schema;

/// <summary>`ledger schema export [--output PATH]`: writes the SQL Marten would create for the ledger, so that
/// DDL changes are reviewed (db/schema/ledger.sql, db/README.md). Needs no database.</summary>
public static class SchemaCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "Where to write the SQL ('-' for stdout).",
            DefaultValueFactory = _ => new FileInfo(SchemaScript.DefaultPath),
        };
        var export = new Command("export", "Write the schema SQL Marten generates for the ledger.") { output };
        export.SetAction(async (parse, ct) =>
        {
            var sql = SchemaScript.Generate();
            var path = parse.GetValue(output)!;
            if (path.Name == "-")
            {
                await parse.InvocationConfiguration.Output.WriteAsync(sql.AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            path.Directory?.Create();
            await File.WriteAllTextAsync(path.FullName, sql, ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"wrote {path.FullName}".AsMemory(), ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        return new Command("schema", "The database schema the ledger owns.") { export };
    }
}
