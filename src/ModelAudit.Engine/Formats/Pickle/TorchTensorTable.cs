namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// The tensors a PyTorch pickle rebuilds, read from its symbolic calls of torch._utils._rebuild_tensor_v2(storage,
/// storage_offset, size, stride, …) (and the older _rebuild_tensor), where storage is the persistent id ('storage',
/// type, key, location, numel). Names are the dict keys the tensors are stored under (a state_dict's OrderedDict,
/// or a plain dict); a tensor inside _rebuild_parameter is named through it. Nothing is loaded: the table says where
/// each tensor's elements lie in its storage, for weight analysis and the tensor summary.
/// </summary>
internal sealed class TorchTensorTable
{
    /// <summary>Tensors kept per pickle: WeightPass's own cap. Checkpoints have at most tens of thousands.</summary>
    private const int MaxTensors = 100_000;

    private readonly Dictionary<PValue, TorchTensorReference> _byValue = new(ReferenceEqualityComparer.Instance);
    private readonly List<TorchTensorReference> _tensors = new();
    private Dictionary<string, List<TorchTensorReference>>? _byStorage;

    /// <summary>Tensors in the order the pickle rebuilds them.</summary>
    public IReadOnlyList<TorchTensorReference> Tensors => _tensors;

    /// <summary>Takes an allowed call; keeps it when it rebuilds a tensor from a storage.</summary>
    public void OnCall(PValue callable, PValue call)
    {
        if (callable.Module != "torch._utils" || callable.Name is not ("_rebuild_tensor_v2" or "_rebuild_tensor") || _tensors.Count >= MaxTensors)
        {
            return;
        }

        if (call.Args is not { } args || args.Item(0) is not { Kind: PValueKind.Persistent, Callable: { } pid }
            || pid.Kind != PValueKind.Tuple || pid.Item(0)?.AsString != "storage" || pid.Item(1) is not { Kind: PValueKind.Global } type
            || pid.Item(2)?.AsString is not { } key || pid.Item(4)?.AsLong is not { } storageElements
            || args.Item(1)?.AsLong is not { } offset || Longs(args.Item(2)) is not { } shape || Longs(args.Item(3)) is not { } stride)
        {
            return;
        }

        var tensor = new TorchTensorReference(key, type.Name!, storageElements, offset, shape, stride);
        _byValue[call] = tensor;
        _tensors.Add(tensor);
        _byStorage = null;
    }

    /// <summary>Takes the key, value pairs a SETITEM(S) stores: a tensor value is named by its key.</summary>
    public void OnItems(IReadOnlyList<PValue> items)
    {
        if (_byValue.Count == 0)
        {
            return;
        }

        for (int i = 0; i + 1 < items.Count; i += 2)
        {
            if (items[i].AsString is { } key && TensorOf(items[i + 1]) is { Name: null } tensor)
            {
                tensor.Name = key;
            }
        }
    }

    /// <summary>The tensors whose elements lie in the storage of <paramref name="key"/>.</summary>
    public IReadOnlyList<TorchTensorReference> InStorage(string key)
    {
        _byStorage ??= _tensors.GroupBy(t => t.StorageKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        return _byStorage.TryGetValue(key, out List<TorchTensorReference>? found) ? found : Array.Empty<TorchTensorReference>();
    }

    // A value that is a rebuilt tensor, directly or as the data of _rebuild_parameter(data, requires_grad, hooks).
    private TorchTensorReference? TensorOf(PValue value)
    {
        if (_byValue.TryGetValue(value, out TorchTensorReference? tensor))
        {
            return tensor;
        }

        return value is { Kind: PValueKind.Call, Callable: { Kind: PValueKind.Global, Module: "torch._utils", Name: "_rebuild_parameter" or "_rebuild_parameter_with_state" }, Args: { } args }
            && args.Item(0) is { } data && _byValue.TryGetValue(data, out tensor) ? tensor : null;
    }

    // A tuple of integers (a size or a stride), all kept; null otherwise.
    private static long[]? Longs(PValue? tuple)
    {
        if (tuple is not { Kind: PValueKind.Tuple })
        {
            return null;
        }

        if (tuple.Count == 0)
        {
            return Array.Empty<long>(); // a scalar's size and stride
        }

        if (tuple.Items is not { } items || items.Count != tuple.Count)
        {
            return null;
        }

        var values = new long[items.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (items[i].AsLong is not { } value || value < 0)
            {
                return null;
            }

            values[i] = value;
        }

        return values;
    }
}
