"""The exclusion list of tests/test_namespace_coverage.py: torch's public names that ember does not
have, each filed under the reason it is missing.

A name here is a public attribute of torch 2.13's namespace (no leading underscore). Every public
name of the namespaces in tests/coverage_report.py's NAMESPACES (torch, torch.Tensor, torch.nn,
torch.nn.functional, torch.linalg, torch.special, torch.distributions, torch.optim ...) that is not
listed here must exist in ember's matching namespace. `todo` holds the names ember means to have and does
not yet: implement one, then delete it from `todo` (`python -m tests.coverage_report` lists the
ones that are stale, and the figures it writes count `todo` separately so the list can shrink).
"""

REASONS = {
    "python": "a Python module or typing name that torch imports into its namespace, not torch API",
    "sparse": "sparse layouts and ops beyond ember's COO subset (sparse_coo_tensor, coalesce, to_dense, "
              "sparse.mm): CSR/CSC/BSR/BSC and the rest of the sparse ops",
    "quantized": "quantized dtypes, quantization and the fbgemm kernels",
    "backend": "internals of CUDA/cuDNN/MIOpen/MKL-DNN/XLA/IPU/MTIA/Vulkan builds, or of their kernels",
    "torchscript": "TorchScript, FX, dispatcher and C++ binding types; torch.export/func/library",
    "complex_or_dtype": "complex tensors and the dtypes NumPy has no type for (float8, int1-7, bits)",
    "deprecated": "deprecated or removed in torch 2.x (typed storages, symeig, lstsq, set_default_tensor_type ...)",
    "internal": "aten internals torch exposes without documenting: *_copy, native_*, sym_*, fused kernels ...",
    "todo": "not yet implemented in ember: counted separately, to shrink",
}

EXCLUDED = {
    'torch': {
        'python': """
        TYPE_CHECKING builtins ctypes functools glob importlib inspect math os platform sys
        textwrap threading torch warnings
        """,
        'sparse': """
        ccol_indices_copy col_indices_copy crow_indices_copy dsmm hsmm hspmm indices_copy
        resize_as_sparse_ row_indices_copy saddmm segment_reduce smm sparse_bsc
        sparse_bsc_tensor sparse_bsr sparse_bsr_tensor sparse_compressed_tensor
        sparse_csc sparse_csc_tensor sparse_csr sparse_csr_tensor spmm
        sspaddmm values_copy
        """,
        'quantized': """
        ao choose_qparams_optimized dequantize empty_quantized
        fake_quantize_per_channel_affine fake_quantize_per_tensor_affine
        fbgemm_linear_fp16_weight fbgemm_linear_fp16_weight_fp32_activation
        fbgemm_linear_int8_weight fbgemm_linear_int8_weight_fp32_activation
        fbgemm_linear_quantize_weight fbgemm_pack_gemm_matrix_fp16
        fbgemm_pack_quantized_matrix fused_moving_avg_obs_fake_quant int_repr
        per_channel_affine per_channel_affine_float_qparams per_channel_symmetric
        per_tensor_affine per_tensor_symmetric q_per_channel_axis q_per_channel_scales
        q_per_channel_zero_points q_scale q_zero_point qint32 qint8 qscheme quantization
        quantize_per_channel quantize_per_tensor quantize_per_tensor_dynamic
        quantized_batch_norm quantized_gru quantized_gru_cell quantized_lstm
        quantized_lstm_cell quantized_max_pool1d quantized_max_pool2d quantized_max_pool3d
        quantized_rnn_relu_cell quantized_rnn_tanh_cell quint2x4 quint4x2 quint8
        """,
        'backend': """
        USE_GLOBAL_DEPS USE_RTLD_GLOBAL_WITH_LIBTORCH compiled_with_cxx11_abi
        cudnn_affine_grid_generator cudnn_batch_norm cudnn_convolution
        cudnn_convolution_add_relu cudnn_convolution_relu cudnn_convolution_transpose
        cudnn_grid_sampler cudnn_is_acceptable get_autocast_ipu_dtype get_autocast_xla_dtype
        has_lapack has_mkl has_openmp has_spectral is_autocast_ipu_enabled
        is_autocast_xla_enabled is_vulkan_available miopen_batch_norm miopen_convolution
        miopen_convolution_add_relu miopen_convolution_relu miopen_convolution_transpose
        miopen_ctc_loss miopen_depthwise_convolution miopen_rnn mkldnn_adaptive_avg_pool2d
        mkldnn_convolution mkldnn_linear_backward_weights mkldnn_max_pool2d
        mkldnn_max_pool3d mkldnn_rnn_layer mtia
        profiler_allow_cudagraph_cupti_lazy_reinit_cuda12 set_autocast_ipu_dtype
        set_autocast_ipu_enabled set_autocast_xla_dtype set_autocast_xla_enabled
        """,
        'torchscript': """
        AVG AcceleratorError AggregationType AliasDb AnyType Argument ArgumentSpec AwaitType
        BenchmarkConfig BenchmarkExecutionStats Block BoolType BufferDict CallStack Capsule
        ClassType Code CompilationUnit CompleteArgumentSpec ComplexType ConcreteModuleType
        ConcreteModuleTypeBuilder DeepCopyMemoTable DeserializationStorageContext
        DeviceObjType DictType DispatchKey DispatchKeySet EnumType ErrorReport Event
        ExcludeDispatchKeyGuard ExecutionPlan FatalError FileCheck FloatType FunctionSchema
        Future FutureType Gradient Graph GraphExecutorState IODescriptor InferredType
        IntType InterfaceType JITException ListType LiteScriptModule LockingLogger
        LoggerBase Node NoneType NoopLogger NumberType OperatorInfo OptionalType
        PyObjectType PyTorchFileReader PyTorchFileWriter RRefType SUM ScriptClass
        ScriptClassFunction ScriptDict ScriptDictIterator ScriptDictKeyIterator
        ScriptFunction ScriptList ScriptListIterator ScriptMethod ScriptModule
        ScriptModuleSerializer ScriptObject ScriptObjectProperty SerializationStorageContext
        StaticModule Stream StreamObjType StringType SymBool SymBoolType SymFloat SymInt
        SymIntType Tag TensorType ThroughputBenchmark TracingState TupleType Type UnionType
        Use Value classes cpp export futures fx library monitor overrides package
        ModuleDict ParameterDict
        """,
        'complex_or_dtype': """
        bit bits16 bits1x8 bits2x4 bits4x2 bits8 chalf complex32 conj_physical_
        float4_e2m1fn_x2 float8_e4m3fn float8_e4m3fnuz float8_e5m2 float8_e5m2fnuz
        float8_e8m0fnu int1 int2 int3 int4 int5 int6 int7 uint1 uint2 uint3 uint4 uint5 uint6
        uint7
        """,
        'deprecated': """
        BFloat16Storage BoolStorage ByteStorage CharStorage ComplexDoubleStorage
        ComplexFloatStorage DoubleStorage FloatStorage HalfStorage IntStorage LongStorage
        QInt32Storage QInt8Storage QUInt2x4Storage QUInt4x2Storage QUInt8Storage
        ShortStorage Storage StorageBase TypedStorage UntypedStorage
        storage
        """,
        'internal': """
        DisableTorchFunction DisableTorchFunctionSubclass PRIVATE_OPS affine_grid_generator
        alias_copy as_strided_copy autocast_decrement_nesting
        autocast_increment_nesting batch_norm_backward_elemt batch_norm_backward_reduce
        batch_norm_elemt batch_norm_gather_stats batch_norm_gather_stats_with_counts
        batch_norm_stats batch_norm_update_stats classproperty cond conv_tbc convolution
        detach_copy diagonal_copy expand_copy
        fork from_file get_file_path
        grid_sampler grid_sampler_2d grid_sampler_3d gru gru_cell hash_tensor
        import_ir_module import_ir_module_from_buffer init_num_threads is_distributed
        lstm lstm_cell merge_type_from_type_comment native_batch_norm
        native_channel_shuffle native_dropout native_group_norm native_layer_norm
        native_norm nonzero_static norm_except_dim parse_ir parse_schema parse_type_comment
        permute_copy prepare_multiprocessing_environment rnn_relu rnn_relu_cell rnn_tanh
        rnn_tanh_cell select_copy slice_copy slice_inverse split_copy split_with_sizes_copy
        squeeze_copy sym_constrain_range sym_constrain_range_for_size sym_float
        sym_fresh_size sym_int sym_ite sym_max sym_min sym_not sym_sqrt sym_sum t_copy
        thread_safe_generator torch_version transpose_copy unbind_copy unfold_copy
        unify_type_list unsafe_chunk unsafe_split unsafe_split_with_sizes unsqueeze_copy
        view_as_complex_copy view_as_real_copy view_copy wait while_loop
        """,
        'todo': """
        """,
    },
    'torch.Tensor': {
        'sparse': """
        ccol_indices coalesce col_indices crow_indices dense_dim indices is_coalesced
        resize_as_sparse_ row_indices smm sparse_dim sparse_mask
        sparse_resize_ sparse_resize_and_clear_ sspaddmm to_dense to_sparse to_sparse_bsc
        to_sparse_bsr to_sparse_coo to_sparse_csc to_sparse_csr values
        """,
        'quantized': """
        dequantize int_repr q_per_channel_axis q_per_channel_scales
        q_per_channel_zero_points q_scale q_zero_point qscheme
        """,
        'backend': """
        ipu mtia record_stream to_mkldnn
        """,
        'complex_or_dtype': """
        chalf
        """,
        'deprecated': """
        is_set_to reinforce resize resize_as set_
        storage_type volatile
        """,
        'internal': """
        apply_ as_subclass const_data_ptr dim_order grad_dtype hash_tensor is_distributed
        map2_ map_ module_load nonzero_static slice_inverse unsafe_chunk
        unsafe_split unsafe_split_with_sizes
        """,
        # index(positions, dims) binds dims to functorch.dim's first-class Dim objects
        'torchscript': """
        index
        """,
        'todo': """
        """,
    },
    'torch.nn': {
        'quantized': """
        intrinsic qat quantizable quantized
        """,
        'deprecated': """
        CrossMapLRN2d
        """,
        'internal': """
        factory_kwargs
        """,
        'todo': """
       
        """,
    },
    'torch.nn.functional': {
        'python': """
        Callable DType Optional TYPE_CHECKING dataclasses importlib np torch
        """,
        'sparse': """
        sparse_support_notes
        """,
        'backend': """
        ScalingType SwizzleType grouped_mm scaled_grouped_mm scaled_mm
        """,
        'internal': """
        BroadcastingList1 BroadcastingList2 BroadcastingList3
        GRID_SAMPLE_INTERPOLATION_MODES GRID_SAMPLE_PADDING_MODES assert_int_or_pair
        boolean_dispatch conv_tbc handle_torch_function has_torch_function
        has_torch_function_unary has_torch_function_variadic native_channel_shuffle
        reproducibility_notes tf32_notes
        """,
        'todo': """
       
        """,
    },
    'torch.linalg': {
        'internal': """
        common_notes
        """,
        'todo': """
        """,
    },
    'torch.special': {
        'python': """
        Tensor common_args multi_dim_common torch
        """,
        'todo': """
        """,
    },
    'torch.fft': {
        'python': """
        Tensor common_args factory_common_args torch
        """,
        'todo': """
        """,
    },
    'torch.autograd': {
        'python': """
        DeviceType Mapping Sequence cast overload torch warnings
        """,
        'backend': """
        ProfilerActivity ProfilerConfig ProfilerEvent ProfilerState kineto_available
        """,
        'internal': """
        enforce_grad_layout_policy is_view_replay_enabled profiler_legacy profiler_util
        """,
        # torch._C._autograd.SavedTensor, reached through grad_fn._raw_saved_<name> (C++ nodes'
        # private attributes); saved-tensor hooks are autograd.graph.saved_tensors_hooks here
        'torchscript': """
        SavedTensor
        """,
        'todo': """
        """,
    },
    'torch.autograd.forward_ad': {
        'python': """
        Any NamedTuple os torch
        """,
        'todo': """
        """,
    },
    'torch.autograd.graph': {
        'python': """
        Any Callable Generator Iterable Iterator Literal MutableMapping NamedTuple Optional
        RemovableHandle Sequence TYPE_CHECKING TypeAlias Union Variable WeakKeyDictionary
        WeakValueDictionary abc cast contextlib contextvars defaultdict deque functools log
        logging threading torch
        """,
        'backend': """
        set_override_stale_capture_stream set_warn_on_accumulate_grad_stream_mismatch
        """,
        'torchscript': """
        TorchDispatchMode
        """,
        'internal': """
        region_activation_memory_budget
        """,
        'todo': """
        """,
    },
    'torch.distributions': {
        'todo': """
        """,
    },
    'torch.distributions.constraints': {
        'python': """
        Any Callable torch
        """,
        'todo': """
        """,
    },
    'torch.distributions.transforms': {
        'python': """
        Distribution F Sequence Tensor lazy_property torch
        """,
    },
    'torch.optim': {},
    'torch.optim.lr_scheduler': {
        'python': """
        Any Literal Self SupportsFloat TYPE_CHECKING Tensor TypedDict annotations cast inf
        override partial
        """,
        'internal': """
        EPOCH_DEPRECATION_WARNING
        """,
    },
    'torch.optim.swa_utils': {
        'python': """
        Any Literal Module PARAM_LIST TYPE_CHECKING annotations cast deepcopy itertools override
        torch warnings
        """,
    },
    'torch.nn.init': {
        'python': """
        Callable Literal ParamSpec Tensor TypeVar torch
        """,
        'sparse': """
        sparse sparse_
        """,
        'todo': """
        """,
    },
    'torch.nn.utils': {
        'todo': """
        """,
    },
    'torch.nn.utils.rnn': {
        'python': """
        Any Callable Iterable Self TypeVar torch warnings
        """,
        'internal': """
        bind copy_method_params
        """,
        'todo': """
        """,
    },
    'torch.nn.utils.parametrize': {
        'python': """
        Module collections copyreg deepcopy torch
        """,
        'internal': """
        OpaqueBase get_swap_module_params_on_conversion is_opaque_reference_type
        is_traceable_wrapper_subclass
        """,
        'todo': """
        """,
    },
    'torch.nn.utils.parametrizations': {
        'python': """
        Enum auto torch
        """,
        'todo': """
        """,
    },
    'torch.utils.data': {
        'deprecated': """
        DFIterDataPipe DataChunk IterDataPipe MapDataPipe argument_validation datapipes
        functional_datapipe graph graph_settings guaranteed_datapipes_determinism
        non_deterministic runtime_validation runtime_validation_disabled
        """,
        'todo': """
        """,
    },
    'torch.func': {
        'torchscript': """
        debug_unwrap functionalize
        """,
        'todo': """
        """,
    },
    'torch.random': {
        'python': """
        Generator TYPE_CHECKING contextlib torch warnings
        """,
        'internal': """
        thread_safe_generator
        """,
        'todo': """
        """,
    },
}
