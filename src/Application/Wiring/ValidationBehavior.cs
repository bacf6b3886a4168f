using FluentValidation;
using Mediator;

namespace Bittensor.Ledger.Application.Wiring;

/// <summary>Runs every FluentValidation validator of a message before its handler; shape rules only
/// (style.md 3.3), stateful rules live in Domain. Throws <see cref="ValidationException"/> on failure.</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken).ConfigureAwait(false);
            if (!result.IsValid)
            {
                throw new ValidationException(result.Errors);
            }
        }

        return await next(message, cancellationToken).ConfigureAwait(false);
    }
}
