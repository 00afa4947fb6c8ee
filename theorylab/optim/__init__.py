"""Update rules (the optimizer zoo), schedules, iterate averaging and projections.

Every rule is one written equation in its module (docstring: equation and citation), a Numba step
following :mod:`.protocol`, a plain-numpy reference, and a ``RuleSpec`` in :mod:`.registry` that the
conformance battery (:mod:`.conformance`) tests.
"""

from . import averaging, protocol, schedules
from .adabelief import adabelief
from .adafactor import adafactor
from .adagrad import adagrad, adagrad_norm
from .adahessian import adahessian
from .adam import adam, adamw
from .adamax import adamax
from .adan import adan
from .amsgrad import adam_uncorrected, amsgrad, geometric_momentum
from .apollo import apollo
from .averaging import Averaging, ema, uniform, weighted
from .base import Optimizer, Post
from .diffgrad import diffgrad
from .dog import dog
from .entropy_sgd import entropy_sgd
from .exadam import exadam
from .frugal import frugal
from .lars import lamb, lars
from .lion import lion
from .lookahead import lookahead
from .mars import mars
from .mfac import mfac
from .momentum import (
    gd,
    heavy_ball,
    nesterov,
    nesterov_convex_momentum,
    nesterov_strongly_convex_momentum,
    sgd,
)
from .nag_gs import nag_gs
from .newton import gauss_newton, newton
from .normalized_momentum import normalized_momentum
from .oasis import oasis
from .orthogonalized import orthogonalized, osgdm
from .polyak import polyak, sps
from .projection import Ball, ball
from .psgd import psgd
from .restarts import sgdr
from .rmsprop import rmsprop
from .saddle_free_newton import saddle_free_newton
from .sam import sam, usam
from .schedules import (
    Schedule,
    as_schedule,
    constant,
    cosine,
    from_array,
    inverse_sqrt,
    inverse_time,
    linear_decay,
    refined,
    step_decay,
    warmup,
)
from .sgd_sai import sgd_sai
from .sgdp import adamp, sgdp
from .shampoo import shampoo
from .sophia import sophia

#: constructors of every update rule in the zoo
RULES = (
    "sgd",
    "gd",
    "heavy_ball",
    "nesterov",
    "adam",
    "adamw",
    "adabelief",
    "adafactor",
    "adagrad",
    "adagrad_norm",
    "adahessian",
    "adamax",
    "adan",
    "amsgrad",
    "adam_uncorrected",
    "geometric_momentum",
    "apollo",
    "diffgrad",
    "dog",
    "entropy_sgd",
    "exadam",
    "frugal",
    "lars",
    "lamb",
    "lion",
    "lookahead",
    "mars",
    "mfac",
    "nag_gs",
    "newton",
    "gauss_newton",
    "normalized_momentum",
    "oasis",
    "orthogonalized",
    "osgdm",
    "polyak",
    "sps",
    "psgd",
    "sgdr",
    "rmsprop",
    "saddle_free_newton",
    "sam",
    "usam",
    "sgd_sai",
    "sgdp",
    "adamp",
    "shampoo",
    "sophia",
)

__all__ = [
    "averaging",
    "schedules",
    "protocol",
    "Optimizer",
    "Post",
    "nesterov_convex_momentum",
    "nesterov_strongly_convex_momentum",
    "Averaging",
    "uniform",
    "weighted",
    "ema",
    "Ball",
    "ball",
    "Schedule",
    "as_schedule",
    "constant",
    "inverse_time",
    "inverse_sqrt",
    "step_decay",
    "cosine",
    "linear_decay",
    "warmup",
    "from_array",
    "refined",
    "RULES",
    *RULES,
]
