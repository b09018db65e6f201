"""URLconf modules included on first use (see ``lazy_include``)."""

from __future__ import annotations

from typing import Any

from django.urls.resolvers import RoutePattern, URLResolver


class LazyURLResolver(URLResolver):
    """A namespaced resolver that imports its URLconf module on first real use."""

    def _loaded(self) -> bool:
        return "urlconf_module" in self.__dict__  # Django caches the import there

    def _load(self) -> None:
        self.urlconf_module  # noqa: B018 - imports the module (a cached property)

    def _populate(self) -> None:
        # The parent resolver fills its own tables by calling this on every child; a
        # namespaced child is reached through its namespace_dict entry instead, so it waits
        # until one of the properties below is read.
        if self._loaded():
            super()._populate()

    @property
    def reverse_dict(self) -> Any:
        self._load()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> Any:
        self._load()
        return super().namespace_dict

    @property
    def app_dict(self) -> Any:
        self._load()
        return super().app_dict

    def _is_callback(self, name: str) -> bool:
        self._load()
        return super()._is_callback(name)


def lazy_include(route: str, module: str, namespace: str) -> LazyURLResolver:
    """``path(route, include(module, namespace))``, but ``module`` is imported only when a
    request reaches ``route``, when ``reverse()`` asks for a name in ``namespace``, or when
    the URL checks run. The module sets ``urlpatterns``.

    ``include()`` imports its module at once, and Django fills every included resolver's
    lookup tables on the first ``reverse()`` of any name; so an API whose endpoints and
    schemas cost a good part of a second would load in every process on its first page.
    """
    pattern = RoutePattern(route, is_endpoint=False)
    return LazyURLResolver(pattern, module, app_name=namespace, namespace=namespace)
