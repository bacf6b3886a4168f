namespace Bittensor.Ledger.LocalPostgres;

/// <summary>No PostgreSQL could be found or started; the message says what to install or set.</summary>
public sealed class PostgresUnavailableException : Exception
{
    public PostgresUnavailableException()
    {
    }

    public PostgresUnavailableException(string message)
        : base(message)
    {
    }

    public PostgresUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
