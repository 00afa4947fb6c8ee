"""Theorems' right-hand sides: numpy functions with their sympy expression, citation and assumptions.

Each paper has a module (``theorylab.bounds.<paper>``); every bound is re-exported here under a name
that says what it bounds, e.g. ``bounds.sgd_strongly_convex_constant_step`` (Bottou et al. 2018,
Thm 4.6).  ``bound(x, **constants)`` evaluates it; ``bound.expr``, ``bound.source`` and
``bound.assumptions`` document it.
"""

from . import (
    attia2023,
    block2023,
    bottou2018,
    brechet2023,
    bubeck2015,
    busafekete2023,
    cha2023,
    chaudhari2017,
    chen2023_lion,
    dauphin2014,
    davis2019,
    defazio2023,
    du2018,
    garrigos2023,
    gupta2018,
    heo2020,
    kingma2015,
    kovalev2025,
    lau2024,
    leplat2022,
    lin2023,
    liu2023,
    meng2023,
    mishkin2024,
    nutini2017,
    pan2023,
    reddi2018,
    roberts2021,
    venigalla2020,
    wang2023,
    woodworth2023,
    yao2020,
    zhang2019,
    zhuang2020,
)
from .attia2023 import adagrad_norm_convex_hp, adagrad_norm_nonconvex_hp
from .base import Bound
from .block2023 import (
    ema_stationary_variance_quadratic,
    sgd_stationary_variance_quadratic,
)
from .bottou2018 import (
    sgd_minibatch_plateau,
    sgd_nonconvex_constant_step,
    sgd_strongly_convex_constant_step,
    sgd_strongly_convex_diminishing_step,
)
from .brechet2023 import bw_gd_sufficient_decrease, bw_rank_constrained_minimum
from .bubeck2015 import (
    frank_wolfe_smooth,
    gradient_descent_smooth_convex,
    gradient_descent_strongly_convex_smooth,
    nesterov_smooth_convex,
    nesterov_strongly_convex,
    projected_sgd_strongly_convex_weighted_average,
    projected_subgradient_lipschitz,
    projected_subgradient_realised,
    sgd_smooth_averaged,
    sgd_smooth_averaged_fixed_step,
)
from .busafekete2023 import (
    easyllp_gradient_excess_second_moment,
    easyllp_soft_label_variance,
)
from .cha2023 import random_reshuffling_strongly_convex_lower_bound
from .chaudhari2017 import local_entropy_curvature, local_entropy_outer_stability
from .chen2023_lion import lion_box_excess, lion_box_limit_error
from .dauphin2014 import (
    gradient_descent_escape_steps_lower,
    gradient_descent_escape_steps_upper,
    saddle_free_newton_escape_steps,
)
from .davis2019 import (
    model_based_moreau_stationarity,
    model_based_moreau_stationarity_derived,
    stochastic_subgradient_moreau_stationarity,
)
from .defazio2023 import (
    constant_step_last_iterate,
    constant_step_last_iterate_best_scale,
    linear_decay_last_iterate,
    sgd_last_iterate_any_schedule,
)
from .du2018 import relu_filter_gd_local_rate
from .garrigos2023 import (
    gd_convex_smooth_gap,
    gd_strongly_convex_dist2,
    minibatch_expected_smoothness,
    minibatch_gradient_variance_at_optimum,
    sgd_convex_averaged_gap,
    sgd_strongly_convex_dist2,
)
from .gupta2018 import shampoo_dual_norm_sum, shampoo_matrix_regret
from .heo2020 import scale_invariant_momentum_norm_growth
from .kingma2015 import (
    adam_regret_thm41,
    adam_second_moment_bias,
    adam_step_stated,
    adam_step_sup,
    adamax_step_stated,
    adamax_step_sup,
    ogd_regret,
)
from .kovalev2025 import (
    orthogonalized_gd_nuclear_average,
    orthogonalized_momentum_nuclear_average,
    spectral_ball_envelope,
    spectral_ball_one_step,
)
from .lau2024 import adagrad_norm_adaptive_batch_rate
from .leplat2022 import (
    naggs_optimal_rate,
    naggs_optimal_step,
    naggs_stability_threshold,
    naggs_worst_case_spectral_radius,
)
from .lin2023 import gp_dual_gd_max_stable_step, gp_primal_gd_max_stable_step
from .liu2023 import (
    gd_separable_quadratic_steps_lower,
    sophia_clipped_step,
    sophia_separable_quadratic_steps,
)
from .meng2023 import cvar_spl_multiplier
from .mishkin2024 import (
    sgd_sgc_convex,
    sgd_sgc_strongly_convex,
    stochastic_nesterov_sgc_convex,
    stochastic_nesterov_sgc_strongly_convex,
)
from .nutini2017 import (
    gs_coordinate_descent_l1_rate,
    gsl_coordinate_descent_rate,
    lipschitz_sampling_coordinate_descent_expected_rate,
    newton_manifold_quadratic_convergence,
    proximal_gradient_active_set_complexity,
    uniform_coordinate_descent_expected_rate,
)
from .pan2023 import best_local_reduction, newton_local_reduction
from .reddi2018 import adam_counterexample_average_regret, amsgrad_regret_thm4
from .roberts2021 import (
    gd_step_expected_generalization_gap_change,
    gd_step_generalization_gap_change_taylor,
    sgd_epoch_minus_gd_mean_iterate,
    sgd_epoch_minus_gd_trace_gradient_covariance,
    sgd_minus_gd_gap_change_independent_batches,
)
from .venigalla2020 import delayed_gd_stable_step
from .wang2023 import (
    ou_second_moment,
    sgd_stability_threshold,
    sgdm_normalized_stability_threshold,
    sgdm_sgd_weak_approximation,
)
from .woodworth2023 import proxy_prox_point_error_contraction
from .yao2020 import hutchinson_rademacher_variance
from .zhang2019 import (
    lookahead_gd_outer_factor,
    lookahead_nqm_stationary_variance,
    sgd_nqm_stationary_variance,
)
from .zhuang2020 import adabelief_online_regret

__all__ = [
    "attia2023",
    "block2023",
    "bottou2018",
    "brechet2023",
    "bubeck2015",
    "busafekete2023",
    "cha2023",
    "chaudhari2017",
    "chen2023_lion",
    "dauphin2014",
    "davis2019",
    "defazio2023",
    "du2018",
    "garrigos2023",
    "gupta2018",
    "heo2020",
    "kingma2015",
    "kovalev2025",
    "lau2024",
    "leplat2022",
    "lin2023",
    "liu2023",
    "meng2023",
    "mishkin2024",
    "nutini2017",
    "pan2023",
    "reddi2018",
    "roberts2021",
    "venigalla2020",
    "wang2023",
    "woodworth2023",
    "yao2020",
    "zhang2019",
    "zhuang2020",
    "Bound",
    "adagrad_norm_convex_hp",
    "adagrad_norm_nonconvex_hp",
    "sgd_stationary_variance_quadratic",
    "ema_stationary_variance_quadratic",
    "sgd_strongly_convex_constant_step",
    "sgd_strongly_convex_diminishing_step",
    "sgd_nonconvex_constant_step",
    "sgd_minibatch_plateau",
    "bw_rank_constrained_minimum",
    "bw_gd_sufficient_decrease",
    "projected_subgradient_lipschitz",
    "projected_subgradient_realised",
    "gradient_descent_smooth_convex",
    "frank_wolfe_smooth",
    "gradient_descent_strongly_convex_smooth",
    "nesterov_strongly_convex",
    "nesterov_smooth_convex",
    "projected_sgd_strongly_convex_weighted_average",
    "sgd_smooth_averaged",
    "sgd_smooth_averaged_fixed_step",
    "easyllp_soft_label_variance",
    "easyllp_gradient_excess_second_moment",
    "random_reshuffling_strongly_convex_lower_bound",
    "local_entropy_curvature",
    "local_entropy_outer_stability",
    "lion_box_excess",
    "lion_box_limit_error",
    "saddle_free_newton_escape_steps",
    "gradient_descent_escape_steps_lower",
    "gradient_descent_escape_steps_upper",
    "stochastic_subgradient_moreau_stationarity",
    "model_based_moreau_stationarity",
    "model_based_moreau_stationarity_derived",
    "sgd_last_iterate_any_schedule",
    "linear_decay_last_iterate",
    "constant_step_last_iterate",
    "constant_step_last_iterate_best_scale",
    "relu_filter_gd_local_rate",
    "gd_convex_smooth_gap",
    "gd_strongly_convex_dist2",
    "sgd_convex_averaged_gap",
    "sgd_strongly_convex_dist2",
    "minibatch_gradient_variance_at_optimum",
    "minibatch_expected_smoothness",
    "shampoo_matrix_regret",
    "shampoo_dual_norm_sum",
    "scale_invariant_momentum_norm_growth",
    "adam_step_stated",
    "adam_step_sup",
    "adamax_step_stated",
    "adamax_step_sup",
    "adam_second_moment_bias",
    "adam_regret_thm41",
    "ogd_regret",
    "orthogonalized_gd_nuclear_average",
    "orthogonalized_momentum_nuclear_average",
    "spectral_ball_one_step",
    "spectral_ball_envelope",
    "adagrad_norm_adaptive_batch_rate",
    "naggs_worst_case_spectral_radius",
    "naggs_stability_threshold",
    "naggs_optimal_step",
    "naggs_optimal_rate",
    "gp_primal_gd_max_stable_step",
    "gp_dual_gd_max_stable_step",
    "sophia_separable_quadratic_steps",
    "gd_separable_quadratic_steps_lower",
    "sophia_clipped_step",
    "cvar_spl_multiplier",
    "stochastic_nesterov_sgc_strongly_convex",
    "stochastic_nesterov_sgc_convex",
    "sgd_sgc_strongly_convex",
    "sgd_sgc_convex",
    "gs_coordinate_descent_l1_rate",
    "gsl_coordinate_descent_rate",
    "uniform_coordinate_descent_expected_rate",
    "lipschitz_sampling_coordinate_descent_expected_rate",
    "proximal_gradient_active_set_complexity",
    "newton_manifold_quadratic_convergence",
    "best_local_reduction",
    "newton_local_reduction",
    "adam_counterexample_average_regret",
    "amsgrad_regret_thm4",
    "gd_step_generalization_gap_change_taylor",
    "gd_step_expected_generalization_gap_change",
    "sgd_epoch_minus_gd_mean_iterate",
    "sgd_epoch_minus_gd_trace_gradient_covariance",
    "sgd_minus_gd_gap_change_independent_batches",
    "delayed_gd_stable_step",
    "sgdm_sgd_weak_approximation",
    "ou_second_moment",
    "sgd_stability_threshold",
    "sgdm_normalized_stability_threshold",
    "proxy_prox_point_error_contraction",
    "hutchinson_rademacher_variance",
    "sgd_nqm_stationary_variance",
    "lookahead_nqm_stationary_variance",
    "lookahead_gd_outer_factor",
    "adabelief_online_regret",
]
