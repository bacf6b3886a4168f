using Bittensor.Ledger.Application.Store;
using FluentValidation;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Bittensor.Ledger.Application.Wiring;

public static class ApplicationRegistration
{
    /// <summary>Marten, the import path and Mediator with its validation pipeline: every command and
    /// query is in-process request/response (docs/adr/0003-dispatcher.md).</summary>
    public static IServiceCollection AddLedgerApplication(
        this IServiceCollection services, string connectionString, Action<MartenServiceCollectionExtensions.MartenConfigurationExpression>? marten = null)
    {
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        var expression = services.AddMarten(sp =>
        {
            var o = new StoreOptions();
            LedgerStore.Configure(o, null);
            o.Connection(sp.GetRequiredService<NpgsqlDataSource>());
            return o;
        }).UseLightweightSessions();
        marten?.Invoke(expression);
        services.AddSingleton<StoredEvents>();
        services.AddSingleton<EventBatchWriter>();
        services.AddSingleton<SchemaReady>();
        services.TryAddSingleton(LockWaits.Silent);

        // Every validator in this assembly, found once; FluentValidation's DI package would do the same scan.
        foreach (var type in typeof(ApplicationRegistration).Assembly.GetTypes())
        {
            if (type.IsAbstract || type.IsGenericTypeDefinition)
            {
                continue;
            }

            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)))
            {
                services.AddSingleton(contract, type);
            }
        }

        services.AddMediator(o =>
        {
            o.ServiceLifetime = ServiceLifetime.Scoped;
            o.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
        });
        return services;
    }
}
