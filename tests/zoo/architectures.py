"""The zoo's architectures: real Keras image classifiers built with seeded random weights.

Every builder returns an uncompiled `keras.Model` that takes one float32 RGB image of shape
(1, size, size, 3) with values in [0, 255] (each model rescales internally, as the Keras
applications with `include_preprocessing` do) and returns class probabilities (softmax).
Nothing is downloaded: `weights=None` everywhere.

ARCHITECTURES maps a name to (builder, input size). Sizes are the smallest that keep the
architecture's structure (every stride still applies) while keeping generation fast.
"""

import keras
from keras import layers

CLASSES = 1000


def _rescaled(size, scale=1.0 / 127.5, offset=-1.0):
    inputs = keras.Input(shape=(size, size, 3), batch_size=1, name="image")
    return inputs, layers.Rescaling(scale, offset)(inputs)


def _wrap(base, size, name, scale=1.0 / 127.5, offset=-1.0):
    """Puts a [0, 255] -> [-1, 1] rescaling in front of a Keras application."""
    inputs, x = _rescaled(size, scale, offset)
    return keras.Model(inputs, base(x), name=name)


def mobilenet_v1(size):
    base = keras.applications.MobileNet(input_shape=(size, size, 3), alpha=0.25, weights=None,
                                        classes=CLASSES)
    return _wrap(base, size, "mobilenet_v1")


def mobilenet_v2(size):
    base = keras.applications.MobileNetV2(input_shape=(size, size, 3), alpha=0.35, weights=None,
                                          classes=CLASSES)
    return _wrap(base, size, "mobilenet_v2")


def mobilenet_v3_small(size):
    # include_preprocessing: the model's own Rescaling(1/127.5, -1) takes [0, 255].
    return keras.applications.MobileNetV3Small(input_shape=(size, size, 3), alpha=0.75,
                                               weights=None, classes=CLASSES,
                                               include_preprocessing=True)


def mobilenet_v3_large(size):
    return keras.applications.MobileNetV3Large(input_shape=(size, size, 3), alpha=0.75,
                                               weights=None, classes=CLASSES,
                                               include_preprocessing=True)


def efficientnet_b0(size):
    # Keras' EfficientNet rescales [0, 255] itself (Rescaling + Normalization at the input).
    return keras.applications.EfficientNetB0(input_shape=(size, size, 3), weights=None,
                                             classes=CLASSES)


def _mbconv(x, expand, kernel, stride, out, name):
    """EfficientNet-Lite's MBConv: ReLU6 everywhere, no squeeze-excite."""
    cin = x.shape[-1]
    y = x
    if expand != 1:
        y = layers.Conv2D(cin * expand, 1, use_bias=False, name=name + "_expand")(y)
        y = layers.BatchNormalization(name=name + "_expand_bn")(y)
        y = layers.ReLU(6.0)(y)
    y = layers.DepthwiseConv2D(kernel, stride, padding="same", use_bias=False, name=name + "_dw")(y)
    y = layers.BatchNormalization(name=name + "_dw_bn")(y)
    y = layers.ReLU(6.0)(y)
    y = layers.Conv2D(out, 1, use_bias=False, name=name + "_project")(y)
    y = layers.BatchNormalization(name=name + "_project_bn")(y)
    if stride == 1 and cin == out:
        y = layers.Add()([x, y])
    return y


def efficientnet_lite(size):
    """EfficientNet-Lite0's layout: B0's MBConv stages with ReLU6 and no squeeze-excite."""
    inputs, x = _rescaled(size)
    x = layers.Conv2D(32, 3, 2, padding="same", use_bias=False, name="stem")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU(6.0)(x)
    #        expand kernel stride out repeats
    stages = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
    for s, (expand, kernel, stride, out, repeats) in enumerate(stages):
        for r in range(repeats):
            x = _mbconv(x, expand, kernel, stride if r == 0 else 1, out, f"block{s}{r}")
    x = layers.Conv2D(1280, 1, use_bias=False, name="head")(x)
    x = layers.BatchNormalization(name="head_bn")(x)
    x = layers.ReLU(6.0)(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(CLASSES, activation="softmax", name="logits")(x)
    return keras.Model(inputs, x, name="efficientnet_lite")


def _bottleneck(x, width, stride, name):
    out = width * 4
    shortcut = x
    if stride != 1 or x.shape[-1] != out:
        shortcut = layers.Conv2D(out, 1, stride, use_bias=False, name=name + "_short")(x)
        shortcut = layers.BatchNormalization(name=name + "_short_bn")(shortcut)
    y = layers.Conv2D(width, 1, use_bias=False, name=name + "_1")(x)
    y = layers.BatchNormalization(name=name + "_1_bn")(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(width, 3, stride, padding="same", use_bias=False, name=name + "_2")(y)
    y = layers.BatchNormalization(name=name + "_2_bn")(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(out, 1, use_bias=False, name=name + "_3")(y)
    y = layers.BatchNormalization(name=name + "_3_bn")(y)
    return layers.ReLU()(layers.Add()([shortcut, y]))


def resnet50_style(size):
    """ResNet-50 v1.5's layout (7x7 stem, max pool, 3-4-6-3 bottlenecks, stride on the 3x3) at
    a quarter of the width, so it converts in seconds."""
    inputs, x = _rescaled(size)
    x = layers.ZeroPadding2D(3)(x)
    x = layers.Conv2D(16, 7, 2, use_bias=False, name="stem")(x)
    x = layers.BatchNormalization(name="stem_bn")(x)
    x = layers.ReLU()(x)
    x = layers.ZeroPadding2D(1)(x)
    x = layers.MaxPooling2D(3, 2)(x)
    for s, (width, repeats) in enumerate([(16, 3), (32, 4), (64, 6), (128, 3)]):
        for r in range(repeats):
            x = _bottleneck(x, width, 2 if (r == 0 and s > 0) else 1, f"stage{s}_{r}")
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(CLASSES, activation="softmax", name="logits")(x)
    return keras.Model(inputs, x, name="resnet50_style")


def inception_v3(size):
    base = keras.applications.InceptionV3(input_shape=(size, size, 3), weights=None,
                                          classes=CLASSES)
    return _wrap(base, size, "inception_v3")


def densenet121(size):
    base = keras.applications.DenseNet121(input_shape=(size, size, 3), weights=None,
                                          classes=CLASSES)
    return _wrap(base, size, "densenet121")


def nasnet_mobile(size):
    base = keras.applications.NASNetMobile(input_shape=(size, size, 3), weights=None,
                                           classes=CLASSES)
    return _wrap(base, size, "nasnet_mobile")


class LayerScale(layers.Layer):
    """ConvNeXt's per-channel learnable scale on a block's residual branch."""

    def __init__(self, init, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],),
                                     initializer=keras.initializers.Constant(self.init))

    def call(self, x):
        return x * self.gamma


def _convnext_block(x, name):
    dim = x.shape[-1]
    y = layers.DepthwiseConv2D(7, padding="same", name=name + "_dw")(x)
    y = layers.LayerNormalization(epsilon=1e-6, name=name + "_ln")(y)
    y = layers.Dense(4 * dim, name=name + "_pw1")(y)
    y = layers.Activation("gelu")(y)
    y = layers.Dense(dim, name=name + "_pw2")(y)
    y = LayerScale(0.5, name=name + "_scale")(y)
    return layers.Add()([x, y])


def convnext_style(size):
    """ConvNeXt's blocks (7x7 depthwise, LayerNorm, 4x GELU MLP, layer scale) and its patchify
    stem and LayerNorm + 2x2 stride-2 downsampling, in 4 stages of depth 1-1-2-1."""
    inputs, x = _rescaled(size)
    x = layers.Conv2D(32, 4, 4, name="stem")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name="stem_ln")(x)
    for s, (dim, depth) in enumerate([(32, 1), (64, 1), (128, 2), (256, 1)]):
        if s > 0:
            x = layers.LayerNormalization(epsilon=1e-6, name=f"down{s}_ln")(x)
            x = layers.Conv2D(dim, 2, 2, name=f"down{s}")(x)
        for d in range(depth):
            x = _convnext_block(x, f"stage{s}_{d}")
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.LayerNormalization(epsilon=1e-6, name="head_ln")(x)
    x = layers.Dense(CLASSES, activation="softmax", name="logits")(x)
    return keras.Model(inputs, x, name="convnext_style")


class ClassToken(layers.Layer):
    """Prepends a learned class token and adds learned position embeddings."""

    def build(self, input_shape):
        self.cls = self.add_weight(shape=(1, 1, input_shape[-1]),
                                   initializer=keras.initializers.RandomNormal(stddev=0.02))
        self.pos = self.add_weight(shape=(1, input_shape[1] + 1, input_shape[-1]),
                                   initializer=keras.initializers.RandomNormal(stddev=0.02))

    def call(self, x):
        cls = keras.ops.broadcast_to(self.cls, (keras.ops.shape(x)[0], 1, x.shape[-1]))
        return keras.ops.concatenate([cls, x], axis=1) + self.pos


def vit_small(size, dim=96, depth=4, heads=3, patch=16):
    """A small ViT: 16x16 patch embedding, class token, position embeddings, pre-norm blocks
    of multi-head attention and a GELU MLP, LayerNorm, a linear head on the class token."""
    inputs, x = _rescaled(size)
    x = layers.Conv2D(dim, patch, patch, name="patch_embed")(x)
    x = layers.Reshape(((size // patch) ** 2, dim))(x)
    x = ClassToken(name="cls_pos")(x)
    for d in range(depth):
        y = layers.LayerNormalization(epsilon=1e-6, name=f"block{d}_ln1")(x)
        y = layers.MultiHeadAttention(heads, dim // heads, name=f"block{d}_mha")(y, y)
        x = layers.Add()([x, y])
        y = layers.LayerNormalization(epsilon=1e-6, name=f"block{d}_ln2")(x)
        y = layers.Dense(2 * dim, activation="gelu", name=f"block{d}_mlp1")(y)
        y = layers.Dense(dim, name=f"block{d}_mlp2")(y)
        x = layers.Add()([x, y])
    x = layers.LayerNormalization(epsilon=1e-6, name="final_ln")(x)
    x = layers.Lambda(lambda t: t[:, 0], name="cls_out")(x)
    x = layers.Dense(CLASSES, activation="softmax", name="logits")(x)
    return keras.Model(inputs, x, name="vit_small")


ARCHITECTURES = {
    "mobilenet_v1": (mobilenet_v1, 128),
    "mobilenet_v2": (mobilenet_v2, 96),
    "mobilenet_v3_small": (mobilenet_v3_small, 96),
    "mobilenet_v3_large": (mobilenet_v3_large, 96),
    "efficientnet_b0": (efficientnet_b0, 96),
    "efficientnet_lite": (efficientnet_lite, 96),
    "resnet50_style": (resnet50_style, 96),
    "inception_v3": (inception_v3, 75),
    "densenet121": (densenet121, 64),
    "nasnet_mobile": (nasnet_mobile, 64),
    "convnext_style": (convnext_style, 64),
    "vit_small": (vit_small, 64),
}
