namespace Rfb.Sessions;

/// <summary>An auto-reset signal for one waiter: <see cref="Set"/> wakes the pending or next <see cref="WaitAsync"/>.</summary>
internal sealed class AsyncSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource? _waiter;
    private bool _signaled;

    public void Set()
    {
        TaskCompletionSource? toRelease;
        lock (_gate)
        {
            toRelease = _waiter;
            _waiter = null;
            _signaled = toRelease is null;
        }

        toRelease?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_signaled)
            {
                _signaled = false;
                return Task.CompletedTask;
            }

            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
