"""The 2019 seed's EM loops, kept only as the benchmark's baseline (never imported by gmmlearn).

Copied from the 2019 student notebook this package grew out of (not in this repository), cell
In [2], class ``EM_GMM``, keeping its loops, its ``np.linalg.inv``/``det`` per point and
component, and its names. Two changes, marked ``# benchmark:``:

* three lines are cut off at the right margin of the printed notebook; they are completed in
  the obvious way (the density is exp(-½ (x-μ)ᵀ Σ⁻¹ (x-μ)) / sqrt(det Σ (2π)^D), the
  covariance update subtracts μ_k μ_kᵀ);
* ``gauss`` returns a Python float (``.item()``): numpy ≥ 2 refuses to store the (1, 1) array
  it computes into one element of ``gamma`` (the seed ran on numpy 1.x, which allowed it).

``fit`` is left out: it draws its own random start and prints every iteration; the benchmark
calls ``E_step``, ``M_step`` and ``loglikelihood`` from the same θ₀ as the other engines, as
one pass of ``fit``'s loop does.
"""

import numpy as np


class EM_GMM:
    def __init__(self, K):
        self.K = K

    def E_step(self, X, pi, mu, Sigma):
        gamma = np.zeros((self.N, self.K))

        for n in range(self.N):
            for k in range(self.K):
                gamma[n, k] = pi[k] * self.gauss(X[n].reshape(self.D, 1), mu[k].reshape(self.D, 1), Sigma[k])  # benchmark: completed

        gamma = gamma / np.sum(gamma, axis=1, keepdims=True)

        return gamma

    def M_step(self, X, gamma):
        Nk = np.sum(gamma, axis=0)
        pi = Nk / self.N
        mu = np.zeros((self.K, self.D))
        Sigma = np.zeros((self.K, self.D, self.D))
        temp = np.zeros((self.N, self.D, self.D))
        for n in range(self.N):
            temp[n] = np.dot(X[n].reshape(self.D, 1), X[n].reshape(1, self.D))
        for k in range(self.K):
            mu[k] = np.average(X, axis=0, weights=gamma[:, k])
            Sigma[k] = np.average(temp, axis=0, weights=gamma[:, k]) - np.dot(mu[k].reshape(self.D, 1), mu[k].reshape(1, self.D))  # benchmark: completed

        return pi, mu, Sigma

    def gauss(self, x, mu, Sigma):
        x = x.reshape(self.D, 1)
        mu = mu.reshape(self.D, 1)
        return (np.exp(-0.5 * (x - mu).T @ np.linalg.inv(Sigma) @ (x - mu)) / np.sqrt(np.linalg.det(Sigma) * (2 * np.pi) ** self.D)).item()  # benchmark: completed, .item()

    def loglikelihood(self, X, pi, mu, Sigma):
        # compute log likelohood
        logL = 0
        for n in range(self.N):
            L = 0
            for k in range(self.K):
                L += pi[k] * self.gauss(X[n].reshape(self.D, 1), mu[k].reshape(self.D, 1), Sigma[k])
            logL += np.log(L)
        return logL

    def classify(self, X, pi, mu, Sigma):
        gamma = np.zeros((self.N, self.K))
        for n in range(self.N):
            for k in range(self.K):
                gamma[n, k] = pi[k] * self.gauss(X[n].reshape(self.D, 1), self.mu[k].reshape(self.D, 1), self.Sigma[k])  # benchmark: completed
        gamma = gamma / np.sum(gamma, axis=1, keepdims=True)

        return gamma, np.argmax(gamma, axis=1)

    def iteration(self, X, pi, mu, Sigma):
        """benchmark: one pass of the seed's ``fit`` loop (E-step, M-step, log-likelihood)."""
        self.D = len(X[0])
        self.N = X.shape[0]
        gamma = self.E_step(X, pi, mu, Sigma)
        pi, mu, Sigma = self.M_step(X, gamma)
        logL = self.loglikelihood(X, pi, mu, Sigma)
        return pi, mu, Sigma, logL
