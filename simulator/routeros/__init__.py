"""A model of RouterOS configuration menus, written from the RouterOS manual (scripting, API, each menu's page).

``syntax`` reads script text, ``values`` types property values, ``schema`` declares the menus, ``router`` holds
one router's state, ``script`` runs scripts against it and ``render`` answers ``print`` and ``/export``.
"""
